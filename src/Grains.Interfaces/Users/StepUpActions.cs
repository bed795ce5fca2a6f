namespace PrimeDirective.Grains.Interfaces.Users;

/// <summary>The irreversible actions a person confirms with a fresh code sent to their address (a step-up), by wire name.</summary>
public static class StepUpActions
{
    /// <summary>Erasing the account, with every cluster it links.</summary>
    public const string EraseAccount = "erase-account";

    /// <summary>Every action a step-up code can be bound to.</summary>
    public static IReadOnlyList<string> All { get; } = [EraseAccount];

    /// <summary>Whether <paramref name="action"/> names a step-up action.</summary>
    public static bool IsKnown(string? action) => action is not null && All.Contains(action, StringComparer.Ordinal);
}
