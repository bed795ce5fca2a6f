namespace PrimeDirective.Grains.Interfaces.OpenDsr;

/// <summary>A configuration value that is either PEM text itself (a Kubernetes secret's key) or the path of a PEM file.</summary>
public static class Pem
{
    /// <summary>The PEM text of <paramref name="valueOrPath"/>.</summary>
    public static string Read(string valueOrPath)
    {
        ArgumentNullException.ThrowIfNull(valueOrPath);
        return valueOrPath.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? valueOrPath : File.ReadAllText(valueOrPath);
    }
}
