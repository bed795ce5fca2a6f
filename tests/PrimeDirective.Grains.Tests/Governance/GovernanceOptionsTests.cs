using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PrimeDirective.Gateway.Governance;
using PrimeDirective.Grains.Interfaces.Governance;

namespace PrimeDirective.Grains.Tests.Governance;

/// <summary><c>Governance:TwoPersonRule</c>: every action by default, a list, and <c>off</c> only in the single-process mode, said at start.</summary>
public sealed class GovernanceOptionsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value))).Build();

    [Fact]
    public void By_default_every_action_needs_two_officers_and_a_proposal_waits_seven_days()
    {
        var options = GovernanceOptions.Read(Configuration());

        Assert.Equal(Enum.GetValues<GovernedAction>().ToHashSet(), options.Governed);
        Assert.Equal(TimeSpan.FromDays(7), options.ProposalLifetime);
        var logs = new FakeLogger();
        options.LogAtStart(logs);
        Assert.Equal(0, logs.Collector.Count);
    }

    [Fact]
    public void A_list_governs_only_the_actions_it_names_and_says_at_start_which_one_officer_does_alone()
    {
        var options = GovernanceOptions.Read(Configuration(("Governance:TwoPersonRule:0", "breach"), ("Governance:TwoPersonRule:1", "disclosure")));

        Assert.Equal(new HashSet<GovernedAction> { GovernedAction.Breach, GovernedAction.Disclosure }, options.Governed);
        var logs = new FakeLogger();
        options.LogAtStart(logs);
        Assert.Equal(LogLevel.Warning, logs.LatestRecord.Level);
        Assert.Contains("legal-hold-lift", logs.LatestRecord.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("breach", logs.LatestRecord.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Off_is_allowed_in_the_single_process_mode_only_and_is_said_at_start()
    {
        var off = GovernanceOptions.Read(Configuration(("Governance:TwoPersonRule", "off")));
        Assert.Empty(off.Governed);
        var logs = new FakeLogger();
        off.LogAtStart(logs);
        Assert.Equal(LogLevel.Warning, logs.LatestRecord.Level);
        Assert.Contains("is off", logs.LatestRecord.Message, StringComparison.Ordinal);

        Assert.Throws<InvalidOperationException>(() => GovernanceOptions.Read(Configuration(("Governance:TwoPersonRule", "off"), ("Orleans:Mode", "client"))));
        Assert.Throws<InvalidOperationException>(() => GovernanceOptions.Read(Configuration(
            ("Governance:TwoPersonRule", "off"), ("ConnectionStrings:PrimeDirective", "Host=localhost"))));
    }

    [Theory]
    [InlineData("Governance:TwoPersonRule:0", "everything")]
    [InlineData("Governance:ProposalLifetime", "-1.00:00:00")]
    [InlineData("Governance:ProposalLifetime", "00:00:00")]
    public void A_misnamed_action_or_a_lifetime_that_is_not_positive_stops_the_gateway_at_start(string key, string value) =>
        Assert.Throws<InvalidOperationException>(() => GovernanceOptions.Read(Configuration((key, value))));
}
