using Npgsql;
using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Grains.Sealing;

/// <summary>
/// Refuses to start a silo whose <c>Privacy:PseudonymKey</c> is not the one the service's data was written under: every
/// subject's grain key is an HMAC under it, so another key would orphan every subject (their state, keys and reminders
/// still exist, under names nobody can derive) instead of failing loudly. The first silo records a check value (the
/// pseudonym of a fixed public name, which reveals nothing of the key) in the key store; every later start compares.
/// </summary>
internal sealed class PseudonymKeyCheck(string connectionString, Pseudonymizer pseudonyms, TimeProvider time) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The check value of <paramref name="pseudonyms"/>' key.</summary>
    public static string CheckValueOf(Pseudonymizer pseudonyms) => pseudonyms.Pseudonymize("pseudonym-key-check", "prime-directive");

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PseudonymKeyCheck), ServiceLifecycleStage.RuntimeInitialize - 1, _ => CheckAsync());

    private async Task CheckAsync()
    {
        var expected = CheckValueOf(pseudonyms);
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "prime-directive-keys", Timeout = 5 }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            insert into pseudonym_key_check (check_value, recorded_at) values (@value, @at) on conflict (singleton) do nothing;
            select check_value from pseudonym_key_check;
            """,
            connection);
        command.Parameters.AddWithValue("value", expected);
        command.Parameters.AddWithValue("at", time.GetUtcNow().UtcDateTime);
        if (await command.ExecuteScalarAsync() is not string recorded || recorded != expected)
        {
            throw new InvalidOperationException(
                "Privacy:PseudonymKey is not the key this service's data was written under: every subject's grain key is derived from it, "
                + "so it cannot change. Configure the original key (see docs/operations.md, Rotation).");
        }
    }
}
