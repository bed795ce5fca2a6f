namespace PrimeDirective.Gateway.Clusters;

/// <summary>Validation of the identifiers clusters send.</summary>
internal static class Identifiers
{
    /// <summary>The canonical (lower-case, hyphenated) form of a UUID, or <c>null</c> with an error recorded.</summary>
    public static string? Uuid(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Length == 36 && Guid.TryParseExact(text, "D", out var id))
        {
            return id.ToString("D");
        }

        errors[name] = ["must be a UUID"];
        return null;
    }

    /// <summary>Whether a version label is short and printable ASCII.</summary>
    public static bool IsVersion(string text) =>
        text.Length is > 0 and <= SchedulerQuery.MaxVersionLength && text.All(c => c is > ' ' and < (char)127);
}
