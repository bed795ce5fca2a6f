using System.Collections.Frozen;

namespace PrimeDirective.Gateway.PrivacyCenter;

/// <summary>The Privacy Center's own stylesheet, embedded in the gateway: no third-party asset, nothing to deploy beside it.</summary>
internal static class PrivacyCenterAssets
{
    private static readonly FrozenDictionary<string, (string ContentType, byte[] Bytes)> s_assets = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal)
    {
        ["privacy.css"] = ("text/css; charset=utf-8", Read("privacy.css")),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IResult Serve(string name) =>
        s_assets.TryGetValue(name, out var asset) ? TypedResults.Bytes(asset.Bytes, asset.ContentType) : TypedResults.NotFound();

    private static byte[] Read(string name)
    {
        using var stream = typeof(PrivacyCenterAssets).Assembly.GetManifestResourceStream($"PrivacyCenter.Assets.{name}")
            ?? throw new InvalidOperationException($"The asset {name} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
