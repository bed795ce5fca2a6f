using System.Reflection;
using Npgsql;

namespace PrimeDirective.IngestBench;

/// <summary>
/// Figure "sealing" (issue 22): the gateway as shipped, or the same gateway with its sealer replaced by a pass-through
/// (bench/SealingPassThrough, put into the gateway's process as a startup hook: no key fetched or created, no AES-GCM,
/// no HKDF; the rest of the path unchanged). After the window it reads the run's database and fails the run unless it
/// stored what it claims: reports and states in both runs, every state and address sealed when on, none when off.
/// </summary>
internal sealed class SealingVariant(bool on) : IngestPhases
{
    /// <summary>A value <c>ReportAddressSealing</c> sealed (base64 of at least 61 bytes), never an address.</summary>
    private const string SealedAddress = "^[A-Za-z0-9+/]{78,}={0,2}$";

    private StoredForm? _stored;

    public static OnOffFigure Figure { get; } = new(
        "sealing", "sealing as shipped", "sealing replaced by a pass-through", "≥ 0.9", ratio => ratio >= 0.9, on => new SealingVariant(on));

    public override IReadOnlyDictionary<string, string> Settings { get; } = on
        ? new Dictionary<string, string>()
        : new Dictionary<string, string> { ["DOTNET_STARTUP_HOOKS"] = PassThroughAssembly() };

    public override string? Report => _stored is { } stored
        ? $"{stored.SealedStates} of {stored.States} grain states sealed, {stored.SealedAddresses} of {stored.Addresses} report addresses sealed " +
          $"({stored.Reports} report rows), {stored.DataKeys} keys in the key store"
        : "not checked (the run failed)";

    public override async Task AtAsync(IngestPhase phase, string? connectionString, CancellationToken cancellationToken)
    {
        if (phase != IngestPhase.WindowEnded)
        {
            return;
        }

        var stored = _stored = await StoredForm.ReadAsync(connectionString!, SealedAddress, cancellationToken);
        var right = stored.States > 0 && stored.Reports > 0 && stored.Addresses > 0 && (on
            ? stored.SealedStates == stored.States && stored.SealedAddresses == stored.Addresses
            : stored.SealedStates == 0 && stored.SealedAddresses == 0);
        if (!right)
        {
            throw new InvalidOperationException($"The run with sealing {(on ? "on" : "off")} did not store what it should: {Report}.");
        }
    }

    private static string PassThroughAssembly()
    {
        var path = typeof(SealingVariant).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "SealingPassThroughAssembly").Value!;
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"The pass-through sealer is not built at {path}: build bench/IngestBench (it builds it first).");
    }

    /// <summary>How a run's database holds what the ingest wrote: grain states, report rows, their addresses, sealed or not.</summary>
    private sealed record StoredForm(long States, long SealedStates, long Reports, long Addresses, long SealedAddresses, long DataKeys)
    {
        public static async Task<StoredForm> ReadAsync(string connectionString, string sealedAddress, CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);

            // A state is stored as {"sealed": base64}; sealed, the bytes begin with the sealer's format version (1 or 2),
            // passed through they are the state's own JSON.
            await using var command = new NpgsqlCommand(
                """
                select
                  (select count(*) from grain_state where payload_binary is not null),
                  (select count(*) from grain_state
                     where payload_binary is not null
                       and get_byte(decode(convert_from(payload_binary, 'UTF8')::jsonb ->> 'sealed', 'base64'), 0) in (1, 2)),
                  (select count(*) from report),
                  (select count(ip_address) from report),
                  (select count(*) from report where ip_address ~ @sealed),
                  (select count(*) from data_keys)
                """,
                connection);
            command.Parameters.AddWithValue("sealed", sealedAddress);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new StoredForm(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
        }
    }
}
