using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json.Serialization;

namespace PrimeDirective.Grains.Interfaces.Privacy;

/// <summary>
/// The one mapping between the contracts' enums and their wire names (<c>ip-address</c>, <c>usage-statistics</c>,
/// <c>harm-prevention</c>): what JSON, database rows, pages, problem types and audit lines all spell.
/// </summary>
public static class WireNames
{
    private static readonly ConcurrentDictionary<Type, (FrozenDictionary<object, string> Names, FrozenDictionary<string, object> Values)> s_tables = new();

    /// <summary>The wire name of <paramref name="value"/>: its <see cref="JsonStringEnumMemberNameAttribute"/> name, else its member name.</summary>
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => Table<TEnum>().Names.TryGetValue(value, out var name) ? name : value.ToString();

    /// <summary>The value named <paramref name="name"/>, for text we wrote ourselves (a database row): anything else is a bug.</summary>
    /// <exception cref="FormatException">No value has that name.</exception>
    public static TEnum Parse<TEnum>(string name)
        where TEnum : struct, Enum =>
        TryParse<TEnum>(name) ?? throw new FormatException($"Not a {typeof(TEnum).Name} wire name.");

    /// <summary>The value named <paramref name="name"/> (exactly, case-sensitive), or <c>null</c>: for text someone sent.</summary>
    public static TEnum? TryParse<TEnum>(string? name)
        where TEnum : struct, Enum =>
        name is not null && Table<TEnum>().Values.TryGetValue(name, out var value) ? (TEnum)value : null;

    /// <summary>The values of the known names among <paramref name="names"/>; unknown ones are dropped (a count check then finds too few).</summary>
    public static ImmutableArray<TEnum> ParseAll<TEnum>(IEnumerable<string>? names)
        where TEnum : struct, Enum => [.. (names ?? []).Select(TryParse<TEnum>).OfType<TEnum>()];

    /// <summary>Every value's wire name, in declaration order.</summary>
    public static IReadOnlyList<string> All<TEnum>()
        where TEnum : struct, Enum => [.. Enum.GetValues<TEnum>().Select(Of)];

    private static (FrozenDictionary<object, string> Names, FrozenDictionary<string, object> Values) Table<TEnum>()
        where TEnum : struct, Enum =>
        s_tables.GetOrAdd(typeof(TEnum), _ =>
        {
            var names = Enum.GetValues<TEnum>().ToDictionary(
                value => (object)value,
                value => typeof(TEnum).GetField(value.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? value.ToString());
            return (names.ToFrozenDictionary(), names.ToFrozenDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal));
        });
}
