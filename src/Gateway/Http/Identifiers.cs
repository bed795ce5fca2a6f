namespace PrimeDirective.Gateway.Http;

/// <summary>The identifiers clusters send: UUIDs and version labels.</summary>
internal static class Identifiers
{
    public const int MaxVersionLength = 64;

    /// <summary>The canonical (lower-case, hyphenated) form of a UUID, or <c>null</c>.</summary>
    public static string? Uuid(string? text) =>
        text is { Length: 36 } && Guid.TryParseExact(text, "D", out var id) ? id.ToString("D") : null;

    /// <summary>Whether a version label is short and printable ASCII.</summary>
    public static bool IsVersion(string text) =>
        text.Length is > 0 and <= MaxVersionLength && text.All(c => c is > ' ' and < (char)127);
}
