namespace PrimeDirective.Grains.Storage;

/// <summary>Applies the schema before clustering, reminders or storage first touch the database.</summary>
internal sealed class SchemaMigrationParticipant(SchemaMigrator migrator, string connectionString) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaMigrationParticipant), ServiceLifecycleStage.First, cancellationToken => migrator.ApplyAsync(connectionString, cancellationToken));
}
