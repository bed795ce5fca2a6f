namespace PrimeDirective.Grains.Storage;

/// <summary>Applies the schema to every database the silo uses, before clustering, reminders or storage first touch them.</summary>
internal sealed class SchemaMigrationParticipant(SchemaMigrator migrator, IReadOnlyList<string> connectionStrings) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaMigrationParticipant), ServiceLifecycleStage.First, async cancellationToken =>
        {
            foreach (var connectionString in connectionStrings.Distinct(StringComparer.Ordinal))
            {
                await migrator.ApplyAsync(connectionString, cancellationToken);
            }
        });
}
