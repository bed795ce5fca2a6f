using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Sharing;

namespace PrimeDirective.Tests.Governance;

/// <summary>
/// The service for the two-person rule's tests: the sharing service (a policy clock the tests move, one-second reminders),
/// and a gateway that names two officers and approves nothing by itself, so each test decides who approves.
/// </summary>
public sealed class GovernanceService : SharingService
{
    /// <summary>The second officer.</summary>
    public Person Second { get; private set; } = null!;

    /// <summary>A gateway naming <see cref="SharingService.Officer"/> and <see cref="Second"/> as officers.</summary>
    public HttpClient Officers { get; private set; } = null!;

    protected override string Purpose => "governance";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Second = await this.SignUpAsync();
        Officers = await StartGatewayAsync(new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = Officer.UserId, ["Auth:Officers:1"] = Second.UserId,
        });
    }

    public override async Task DisposeAsync()
    {
        Officers?.Dispose();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GovernanceFixture : ICollectionFixture<GovernanceService>
{
    public const string Name = "governance service";
}
