using PrimeDirective.Gateway.Hosting;
using PrimeDirective.Grains.Interfaces.Governance;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Gateway.Governance;

/// <summary>
/// <c>Governance</c> configuration: which actions need a second officer (<c>TwoPersonRule</c>: a list of action names,
/// every action by default; <c>off</c> only in the single-process development mode) and how long a proposal waits.
/// </summary>
internal sealed partial class GovernanceOptions
{
    public const string SectionName = "Governance";

    /// <summary>How long a proposal waits for a second officer before it expires.</summary>
    public TimeSpan ProposalLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The actions under the two-person rule.</summary>
    public IReadOnlySet<GovernedAction> Governed { get; private set; } = AllActions;

    private static HashSet<GovernedAction> AllActions { get; } = Enum.GetValues<GovernedAction>().ToHashSet();

    /// <summary>Says at start which actions one officer may take alone, if any.</summary>
    public void LogAtStart(ILogger logger)
    {
        if (Governed.Count == 0)
        {
            LogOff(logger);
        }
        else if (Governed.Count < AllActions.Count)
        {
            LogPartial(logger, string.Join(", ", AllActions.Except(Governed).Select(WireNames.Of)));
        }
    }

    /// <summary>
    /// Reads <c>Governance:TwoPersonRule</c> (a list of action names, or <c>all</c>, or <c>off</c>): an unknown name, or
    /// <c>off</c> outside the single-process mode, stops the gateway at start.
    /// </summary>
    public static GovernanceOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var options = new GovernanceOptions { ProposalLifetime = section.GetValue<TimeSpan?>("ProposalLifetime") ?? TimeSpan.FromDays(7) };
        if (options.ProposalLifetime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Governance:ProposalLifetime must be positive.");
        }

        var rule = section.GetSection("TwoPersonRule");
        var names = rule.Value is { } single ? [single] : rule.GetChildren().Select(child => child.Value ?? string.Empty).ToArray();
        if (names.Length == 0 || names is ["all"])
        {
            return options;
        }

        if (names is ["off"])
        {
            if (!GatewayOrleans.IsSingleProcess(configuration))
            {
                throw new InvalidOperationException(
                    "Governance:TwoPersonRule=off is allowed only in the single-process development mode (co-hosted, in memory).");
            }

            options.Governed = new HashSet<GovernedAction>();
            return options;
        }

        var parsed = names.Select(WireNames.TryParse<GovernedAction>).ToArray();
        if (parsed.Any(action => action is null))
        {
            throw new InvalidOperationException(
                $"Governance:TwoPersonRule names an unknown action; known: {string.Join(", ", WireNames.All<GovernedAction>())}, or all, or off.");
        }

        options.Governed = parsed.Select(action => action!.Value).ToHashSet();
        return options;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Governance:TwoPersonRule is off (single-process development mode): one officer alone discloses, declares breaches, publishes substantive policy versions and lifts legal holds")]
    private static partial void LogOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Governance:TwoPersonRule leaves these actions to one officer alone: {Actions}")]
    private static partial void LogPartial(ILogger logger, string actions);
}
