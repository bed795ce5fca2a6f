using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Grains.Sharing;

/// <summary>A subject's ledger of disclosures as stored: entries chained by hash, and the head that seals the last one.</summary>
public interface IDisclosureLedgerState
{
    /// <summary>Every disclosure of the subject, oldest first.</summary>
    List<DisclosureEntry> DisclosureLedger { get; set; }

    /// <summary>The last entry's hash, kept apart from the entries so that removing the newest is seen too.</summary>
    string? DisclosureHead { get; set; }
}

/// <summary>The hash chain of a disclosure ledger: append and verify.</summary>
public static class DisclosureLedger
{
    /// <summary>The previous hash of a ledger's first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>Appends <paramref name="entry"/> (its hashes filled in here) and moves the head.</summary>
    public static DisclosureEntry Append(IDisclosureLedgerState ledger, DisclosureEntry entry)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(entry);
        var previous = ledger.DisclosureLedger.Count == 0 ? Genesis : ledger.DisclosureLedger[^1].Hash;
        var chained = entry with { PreviousHash = previous, Hash = string.Empty };
        chained = chained with { Hash = HashOf(chained) };
        ledger.DisclosureLedger.Add(chained);
        ledger.DisclosureHead = chained.Hash;
        return chained;
    }

    /// <summary>Checks every entry's hash and link, and that the head seals the last entry.</summary>
    public static ChainVerification Verify(IDisclosureLedgerState ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var previous = Genesis;
        var entries = ledger.DisclosureLedger;
        for (var index = 0; index < entries.Count; index++)
        {
            var entry = entries[index];
            if (entry.PreviousHash != previous || entry.Hash != HashOf(entry))
            {
                return new ChainVerification(entries.Count, false, index, ledger.DisclosureHead ?? Genesis);
            }

            previous = entry.Hash;
        }

        var head = ledger.DisclosureHead ?? Genesis;
        return head == previous
            ? new ChainVerification(entries.Count, true, null, head)
            : new ChainVerification(entries.Count, false, entries.Count, head);
    }

    /// <summary>SHA-256 over the previous hash and every field but the hash itself, each length-prefixed so no two entries collide by concatenation.</summary>
    public static string HashOf(DisclosureEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        string[] fields =
        [
            entry.PreviousHash,
            entry.DisclosureId,
            entry.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            entry.Recipient,
            entry.Basis.ToString(),
            string.Join(",", entry.Categories.Select(category => category.ToString())),
            entry.Purpose.ToString(),
            entry.Rationale,
            entry.LegalReference ?? "-",
            entry.Delivery,
            entry.InternationalTransfer ? "international" : "domestic",
            entry.RecipientRegion ?? "-",
            entry.HiddenUntil?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) ?? "-",
        ];
        var text = new StringBuilder();
        foreach (var field in fields)
        {
            text.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
