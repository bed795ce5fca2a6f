using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// The report row's IP address (<c>report.ip_address</c>), sealed per value under a key derived from its subject's data
/// key and the key of its own expiry epoch (region, <c>ip-address</c>, the day it expires), with the store, column,
/// subject and report id as associated data. A value whose epoch or subject key is gone reads as absent, never an error.
/// A value still plain (written before this release) reads as it is until the upgrade step seals it.
/// </summary>
public sealed partial class ReportAddressSealing(Sealer sealer, ILogger<ReportAddressSealing> logger)
{
    /// <summary>The table.</summary>
    public const string Store = "report";

    /// <summary>The column.</summary>
    public const string Column = "ip_address";

    /// <summary>The category whose epochs seal the column.</summary>
    public static readonly string Category = WireNames.Of(DataCategory.IpAddress);

    /// <summary>
    /// A SQL condition true of a value this class sealed (base64 of at least 61 bytes) and never of an address: what the
    /// upgrade step leaves alone.
    /// </summary>
    internal const string SealedPattern = "^[A-Za-z0-9+/]{78,}={0,2}$";

    /// <summary>The associated data of the address of report <paramref name="reportId"/> of <paramref name="subjectKey"/>.</summary>
    public static SealContext ContextFor(string subjectKey, string reportId) => new(Store, Column, subjectKey, reportId);

    /// <summary>The region a subject key names (<c>region/pseudonym</c>).</summary>
    public static string RegionOf(string subjectKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectKey);
        var slash = subjectKey.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? subjectKey[..slash] : throw new ArgumentException("A subject key names its region.", nameof(subjectKey));
    }

    /// <summary>The name of the key a legal hold placed at <paramref name="placedAt"/> on <paramref name="subjectKey"/> seals under.</summary>
    public static string HoldKeyName(string subjectKey, DateTimeOffset placedAt) => $"{HoldKeyPrefix(subjectKey)}{placedAt.UtcTicks}";

    /// <summary>The start of the name of every hold key of <paramref name="subjectKey"/>, whichever hold it served.</summary>
    public static string HoldKeyPrefix(string subjectKey) => $"hold|{subjectKey}|";

    /// <summary><paramref name="address"/> sealed for its row, under its subject's key and the epoch of <paramref name="expiresAt"/>.</summary>
    public Task<string> SealAsync(string region, string subjectKey, string reportId, string address, DateTimeOffset expiresAt) =>
        sealer.SealTextAsync(ContextFor(subjectKey, reportId), KeyEpoch.Of(region, Category, expiresAt), address);

    /// <summary>How the stored column's address is protected at rest (docs/keys.md).</summary>
    public Task<ItemProtection> ProtectionOfAsync(string? stored) => sealer.ProtectionOfAsync(stored);

    /// <summary>The stored column's address: opened if sealed, as it is if still plain; <c>null</c> if a key it needs is gone.</summary>
    public async Task<string?> OpenAsync(string subjectKey, string reportId, string? stored)
    {
        if (!Sealer.IsSealedText(stored))
        {
            return stored;
        }

        try
        {
            return await sealer.OpenTextAsync(ContextFor(subjectKey, reportId), stored!);
        }
        catch (CryptographicException exception)
        {
            // A value altered or copied from another row: absent to the reader, and said (the type only) to the operator.
            LogUnopenable(logger, exception.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// Re-seals the address of each report of <paramref name="subjectKey"/> in <paramref name="database"/> sealed under the
    /// epoch key <paramref name="epochKeyId"/>, under the hold key <paramref name="holdKeyName"/> instead, so it outlives
    /// its epoch while the hold runs. A row changed meanwhile is left as it is. Answers how many it re-sealed.
    /// </summary>
    public async Task<int> ResealUnderHoldAsync(string database, string subjectKey, Guid epochKeyId, DateTimeOffset dayEnd, string holdKeyName)
    {
        var resealed = 0;
        foreach (var (_, reportId, stored) in await SealedUnderAsync(database, epochKeyId, dayEnd, subjectKey))
        {
            var context = ContextFor(subjectKey, reportId);
            if (await OpenAsync(subjectKey, reportId, stored) is not { } address)
            {
                continue;
            }

            resealed += await ReplaceAsync(database, subjectKey, reportId, stored, await sealer.SealTextUnderHoldAsync(context, holdKeyName, address));
        }

        return resealed;
    }

    /// <summary>The subjects of <paramref name="database"/> with an address sealed under <paramref name="epochKeyId"/> (whose rows expire before <paramref name="dayEnd"/>).</summary>
    public static async Task<IReadOnlyList<string>> SubjectsUnderAsync(string database, Guid epochKeyId, DateTimeOffset dayEnd) =>
        [.. (await SealedUnderAsync(database, epochKeyId, dayEnd, subjectKey: null)).Select(row => row.SubjectKey).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The upgrade step: seals every address of <paramref name="database"/> still plain, page by page (each page durable on
    /// its own, so a crash loses nothing and the next start goes on). Answers how many it sealed.
    /// </summary>
    public async Task<int> SealPlainAsync(string database, CancellationToken cancellationToken)
    {
        var sealedCount = 0;
        (string Subject, string Report) after = (string.Empty, string.Empty);
        while (true)
        {
            var page = new List<(string Subject, string Report, string Address, long ExpiresUs)>();
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    $"""
                    select subject_key, report_id, ip_address,
                           (select (item ->> 'e')::bigint from jsonb_array_elements(items) as item where item ->> 'c' = @category limit 1)
                    from report
                    where ip_address is not null and ip_address !~ '{SealedPattern}' and (subject_key, report_id) > (@subject, @report)
                    order by subject_key, report_id
                    limit 500
                    """,
                    connection);
                command.Parameters.AddWithValue("category", Category);
                command.Parameters.AddWithValue("subject", after.Subject);
                command.Parameters.AddWithValue("report", after.Report);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    page.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? 0 : reader.GetInt64(3)));
                }
            }

            if (page.Count == 0)
            {
                return sealedCount;
            }

            foreach (var row in page)
            {
                var expiresAt = DateTimeOffset.UnixEpoch.AddTicks(row.ExpiresUs * 10);
                var sealedAddress = await SealAsync(RegionOf(row.Subject), row.Subject, row.Report, row.Address, expiresAt);
                sealedCount += await ReplaceAsync(database, row.Subject, row.Report, row.Address, sealedAddress);
            }

            after = (page[^1].Subject, page[^1].Report);
        }
    }

    /// <summary>Sets the row's address to <paramref name="replacement"/> if it still is <paramref name="expected"/> (1), else leaves it (0).</summary>
    private static async Task<int> ReplaceAsync(string database, string subjectKey, string reportId, string expected, string replacement)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "update report set ip_address = @replacement where subject_key = @subject and report_id = @report and ip_address = @expected", connection);
        command.Parameters.AddWithValue("replacement", replacement);
        command.Parameters.AddWithValue("subject", subjectKey);
        command.Parameters.AddWithValue("report", reportId);
        command.Parameters.AddWithValue("expected", expected);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The rows whose address is sealed under <paramref name="epochKeyId"/>: only rows that expire before the epoch's day
    /// ends can hold one (a row's expiry is its earliest item's), so the expiry index finds them.
    /// </summary>
    private static async Task<List<(string SubjectKey, string ReportId, string Stored)>> SealedUnderAsync(
        string database, Guid epochKeyId, DateTimeOffset dayEnd, string? subjectKey)
    {
        var rows = new List<(string, string, string)>();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            select subject_key, report_id, ip_address from report
            where expires_at < @day_end and ip_address ~ '{SealedPattern}' and (@subject::text is null or subject_key = @subject)
            """,
            connection);
        command.Parameters.AddWithValue("day_end", dayEnd.UtcDateTime);
        command.Parameters.Add(new NpgsqlParameter("subject", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)subjectKey ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var stored = reader.GetString(2);
            if (Sealer.SecondKeyIdOf(Convert.FromBase64String(stored)) == epochKeyId)
            {
                rows.Add((reader.GetString(0), reader.GetString(1), stored));
            }
        }

        return rows;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A sealed report address did not open ({ExceptionType}); it reads as absent")]
    private static partial void LogUnopenable(ILogger logger, string exceptionType);
}
