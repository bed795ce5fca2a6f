using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Gateway;

/// <summary>
/// One way to spell a contract enum on the wire and one way to read an instant someone sent: both live in
/// <c>Grains.Interfaces</c> (<c>WireNames</c>, <c>IsoInstant</c>), and no other source file rebuilds them.
/// </summary>
public sealed class OneMappingTests
{
    /// <summary>What a second wire-name mapping or instant parser is built from, and the one file allowed to hold it (none: nowhere).</summary>
    private static readonly (string Needle, string? Home)[] s_builders =
    [
        ("GetCustomAttribute<JsonStringEnumMemberNameAttribute>", "src/Grains.Interfaces/Privacy/WireNames.cs"),
        // An enum serialized to JSON and unquoted: the way the grains spelled wire names before.
        (".Trim('\"')", null),
        ("class WireNames", "src/Grains.Interfaces/Privacy/WireNames.cs"),
        (@"\d{4}-\d{2}-\d{2}T", "src/Grains.Interfaces/Privacy/IsoInstant.cs"),
        ("DateTimeStyles.RoundtripKind", "src/Grains.Interfaces/Privacy/IsoInstant.cs"),
    ];

    [Fact]
    public void Wire_names_and_instants_are_built_in_one_place_each()
    {
        var root = RepositoryPaths.Root();
        var sources = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal))
            .ToDictionary(path => path, path => File.ReadAllText(Path.Combine(root, path)), StringComparer.Ordinal);
        Assert.NotEmpty(sources);

        foreach (var (needle, home) in s_builders)
        {
            var holders = sources.Where(source => source.Value.Contains(needle, StringComparison.Ordinal)).Select(source => source.Key).Order(StringComparer.Ordinal).ToList();
            Assert.True(holders.SequenceEqual(home is null ? [] : [home]), $"'{needle}' should stand {(home is null ? "nowhere" : "once, in " + home)}; found in: {string.Join(", ", holders)}");
        }
    }
}
