using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json;

namespace PrimeDirective.Grains.Privacy;

/// <summary>The names enums of the taxonomy have on the wire (as in JSON: <c>ip-address</c>, <c>usage-statistics</c>), for database rows.</summary>
public static class WireNames
{
    private static readonly ConcurrentDictionary<Type, (FrozenDictionary<object, string> Names, FrozenDictionary<string, object> Values)> s_tables = new();

    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => Table<TEnum>().Names[value];

    public static TEnum Parse<TEnum>(string name)
        where TEnum : struct, Enum =>
        Table<TEnum>().Values.TryGetValue(name, out var value) ? (TEnum)value : throw new FormatException($"Not a {typeof(TEnum).Name}: {name}");

    private static (FrozenDictionary<object, string> Names, FrozenDictionary<string, object> Values) Table<TEnum>()
        where TEnum : struct, Enum =>
        s_tables.GetOrAdd(typeof(TEnum), _ =>
        {
            var names = Enum.GetValues<TEnum>().ToDictionary(value => (object)value, value => JsonSerializer.Serialize(value).Trim('"'));
            return (names.ToFrozenDictionary(), names.ToFrozenDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal));
        });
}
