using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Sharing;

/// <summary>A subject's ledger of disclosures as stored: entries chained by seal, the head, and the evidence owed to the region.</summary>
public interface IDisclosureLedgerState
{
    /// <summary>Every disclosure of the subject, oldest first.</summary>
    List<DisclosureEntry> DisclosureLedger { get; set; }

    /// <summary>The last entry's hash, kept apart from the entries so that removing the newest is seen too.</summary>
    string? DisclosureHead { get; set; }

    /// <summary>The last evidence sequence number this subject wrote (0: none yet in this life, the table may know more).</summary>
    int EvidenceSeq { get; set; }

    /// <summary>Evidence rows written with a change of the ledger and not yet confirmed recorded in the region's table.</summary>
    List<LedgerEvidence> PendingEvidence { get; set; }

    /// <summary>The subject's disclosure packages by grain key: whose disclosure, and after when it can no longer exist.</summary>
    Dictionary<string, ListedPackage> DisclosurePackages { get; set; }
}

/// <summary>A disclosure package as its subject lists it.</summary>
/// <param name="DisclosureId">The disclosure it carries.</param>
/// <param name="Until">When it can no longer exist (served or pushed).</param>
public sealed record ListedPackage(string DisclosureId, DateTimeOffset Until);

/// <summary>
/// The disclosure ledger: each entry sealed (HMAC-SHA256 under a configured, versioned key) over the previous seal and its
/// fields, the head kept apart, and every change also written as a sealed row of the region's evidence table, which the
/// database keeps append-only. Entries written before the chain was keyed stay as they were and verify as plain SHA-256,
/// only as the chain's beginning.
/// </summary>
public sealed class DisclosureLedger(LedgerKeyRing keys, IDisclosureEvidence evidence)
{
    /// <summary>The previous hash of a ledger's first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>The sequence number the subject's next evidence row follows (the table is asked only when the state cannot say).</summary>
    public async Task<int> LastSeqAsync(IDisclosureLedgerState ledger, string region, string subjectKey)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        return ledger.EvidenceSeq > 0 ? ledger.EvidenceSeq : await evidence.LastSeqAsync(region, subjectKey);
    }

    /// <summary>Appends <paramref name="entry"/> sealed with the current key, moves the head and owes the region its evidence row.</summary>
    /// <param name="ledger">The subject's state.</param>
    /// <param name="subjectKey">The subject's grain key.</param>
    /// <param name="entry">The entry (its seal is made here).</param>
    /// <param name="lastSeq">From <see cref="LastSeqAsync"/>, asked before the write.</param>
    /// <param name="now">The policy's time.</param>
    public DisclosureEntry Append(IDisclosureLedgerState ledger, string subjectKey, DisclosureEntry entry, int lastSeq, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(entry);
        var previous = ledger.DisclosureLedger.Count == 0 ? Genesis : ledger.DisclosureLedger[^1].Hash;
        var chained = entry with { PreviousHash = previous, Hash = string.Empty, KeyVersion = keys.Current };
        chained = chained with { Hash = keys.Seal(keys.Current, SealedText(chained)) };
        ledger.DisclosureLedger.Add(chained);
        ledger.DisclosureHead = chained.Hash;
        Owe(ledger, new LedgerEvidence(subjectKey, 0, ledger.DisclosureLedger.Count, chained.Hash, LedgerEvidence.Appended, 0, string.Empty, now), lastSeq);
        return chained;
    }

    /// <summary>
    /// Carries what outlives a subject's destruction from its old state to the one replacing it: the evidence still owed,
    /// and, if it had a ledger, the row that records its destruction with its entry count.
    /// </summary>
    public void CarryDestruction(IDisclosureLedgerState from, IDisclosureLedgerState to, string subjectKey, string why, int lastSeq, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        to.EvidenceSeq = from.EvidenceSeq;
        to.PendingEvidence = [.. from.PendingEvidence];
        if (from.DisclosureLedger.Count > 0)
        {
            Owe(to, new LedgerEvidence(subjectKey, 0, from.DisclosureLedger.Count, from.DisclosureHead ?? Genesis, LedgerEvidence.DestroyedBy(why), 0, string.Empty, now), lastSeq);
        }
    }

    /// <summary>Records the evidence owed (idempotent); the state is left as it is. <c>true</c> if anything was owed.</summary>
    public async Task<bool> RecordOwedAsync(IDisclosureLedgerState ledger, string region)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        foreach (var row in ledger.PendingEvidence.ToList())
        {
            await evidence.RecordAsync(region, row);
        }

        return ledger.PendingEvidence.Count > 0;
    }

    /// <summary>Records the evidence owed, then drops what was recorded from the state in one write.</summary>
    public async Task FlushAsync<TState>(IPersistentState<TState> state, string region, Action onUnknownOutcome)
        where TState : IDisclosureLedgerState
    {
        ArgumentNullException.ThrowIfNull(state);
        var owed = state.State.PendingEvidence.Select(row => row.Seq).ToHashSet();
        if (!await RecordOwedAsync(state.State, region))
        {
            return;
        }

        await state.UpdateAsync(() => (state.State.PendingEvidence.RemoveAll(row => owed.Contains(row.Seq)) > 0, true), onUnknownOutcome);
    }

    /// <summary>
    /// Checks the stored ledger (<c>null</c> for a subject that is gone) against itself and against the region's evidence:
    /// every seal and link, the head, and the evidence's last count and head. <c>null</c> if there is neither ledger nor evidence.
    /// </summary>
    public async Task<ChainVerification?> VerifyAsync(IDisclosureLedgerState? ledger, string region, string subjectKey)
    {
        var rows = await evidence.ReadAsync(region, subjectKey);
        var forged = rows.Select((row, index) => (row, index)).Any(pair => pair.row.Seq != pair.index + 1 || !Sealed(pair.row));
        var last = rows.IsEmpty ? null : rows[^1];
        if (ledger is null)
        {
            return last is null ? null
                : forged ? Tampered(0, Genesis, last, "evidence-forged", null)
                : last.IsDestruction ? new ChainVerification(0, true, null, Genesis, last.Event == "destroyed-by-erasure" ? "erased" : "expired", last.Entries, last.Head)
                : Tampered(0, Genesis, last, "ledger-missing", null);
        }

        var entries = ledger.DisclosureLedger;
        var head = ledger.DisclosureHead ?? Genesis;
        if (Chain(entries, head) is ({ } problem, var index))
        {
            return Tampered(entries.Count, head, last, problem, index);
        }

        // A subject destroyed and seen again starts an empty ledger after its last life's destruction row.
        var (evidenceEntries, evidenceHead) = last is null || last.IsDestruction ? (0, Genesis) : (last.Entries, last.Head);
        return forged ? Tampered(entries.Count, head, last, "evidence-forged", null)
            : last is null && entries.Count > 0 ? Tampered(entries.Count, head, last, "evidence-missing", null)
            : evidenceEntries != entries.Count ? Tampered(entries.Count, head, last, "evidence-count-mismatch", null)
            : evidenceHead != head ? Tampered(entries.Count, head, last, "evidence-head-mismatch", null)
            : new ChainVerification(entries.Count, true, null, head, "intact", last?.Entries, last?.Head);
    }

    /// <summary>The first failure of the chain and where, or none.</summary>
    private (string? Problem, int Index) Chain(List<DisclosureEntry> entries, string head)
    {
        var previous = Genesis;
        var keyed = false;
        for (var index = 0; index < entries.Count; index++)
        {
            var entry = entries[index];
            keyed |= entry.KeyVersion is not null;
            var problem = entry.PreviousHash != previous ? "entry-altered"
                : entry.KeyVersion is not { } version ? (keyed || entry.Hash != LegacyHash(entry) ? "entry-altered" : null)
                : !keys.Knows(version) ? "unknown-key-version"
                : !keys.Verifies(version, SealedText(entry), entry.Hash) ? "entry-altered"
                : null;
            if (problem is not null)
            {
                return (problem, index);
            }

            previous = entry.Hash;
        }

        return head == previous ? (null, 0) : ("head-mismatch", entries.Count);
    }

    private bool Sealed(LedgerEvidence row) =>
        row.KeyVersion == 0 ? row.Event == LedgerEvidence.Migrated && row.Seq == 1 : keys.Verifies(row.KeyVersion, row.SealedText(), row.Seal);

    private static ChainVerification Tampered(int entries, string head, LedgerEvidence? last, string problem, int? index) =>
        new(entries, false, index, head, "tampered", last?.Entries, last?.Head, problem);

    /// <summary>Numbers and seals <paramref name="row"/> and keeps it owed in the state (at microseconds, as the table keeps time).</summary>
    private void Owe(IDisclosureLedgerState ledger, LedgerEvidence row, int lastSeq)
    {
        var numbered = row with { Seq = Math.Max(ledger.EvidenceSeq, lastSeq) + 1, KeyVersion = keys.Current, At = row.At.AddTicks(-(row.At.UtcTicks % 10)) };
        ledger.PendingEvidence.Add(numbered with { Seal = keys.Seal(keys.Current, numbered.SealedText()) });
        ledger.EvidenceSeq = numbered.Seq;
    }

    /// <summary>What a keyed entry's seal covers: every field but the seal, each length-prefixed so no two entries collide.</summary>
    public static string SealedText(DisclosureEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Fields(
        [
            .. LegacyFields(entry),
            entry.KeyVersion?.ToString(CultureInfo.InvariantCulture) ?? "-",
            string.Join(",", (entry.Withheld ?? []).Select(withheld => $"{withheld.Category}:{withheld.CollectedFor}:{withheld.Count.ToString(CultureInfo.InvariantCulture)}")),
        ]);
    }

    /// <summary>The unkeyed chain's hash (entries written before version 1): SHA-256 over the previous hash and the fields of its day.</summary>
    public static string LegacyHash(DisclosureEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Fields(LegacyFields(entry)))));
    }

    private static string[] LegacyFields(DisclosureEntry entry) =>
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

    private static string Fields(IEnumerable<string> fields)
    {
        var text = new StringBuilder();
        foreach (var field in fields)
        {
            text.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('\n');
        }

        return text.ToString();
    }
}
