using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Grains.Tests.Contracts;

/// <summary>
/// The one wire-name mapping spells every contract enum exactly as its JSON does (so database rows, pages, problem types
/// and exports agree with the API), reads back only exact names, and refuses what is not a name.
/// </summary>
public sealed class WireNamesTests
{
    /// <summary>Every enum of the contracts that JSON writes as a string.</summary>
    public static TheoryData<Type> StringEnums()
    {
        var data = new TheoryData<Type>();
        foreach (var type in typeof(DataCategory).Assembly.GetTypes()
            .Where(type => type.IsEnum && type.GetCustomAttribute<JsonConverterAttribute>() is not null)
            .OrderBy(type => type.FullName, StringComparer.Ordinal))
        {
            data.Add(type);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StringEnums))]
    public void Every_value_is_named_as_JSON_names_it_and_reads_back(Type enumType)
    {
        var check = typeof(WireNamesTests).GetMethod(nameof(NamesMatchJson), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(enumType);
        check.Invoke(null, null);
    }

    [Fact]
    public void The_contracts_hold_string_enums_to_check()
    {
        var enums = StringEnums().Cast<object[]>().Select(row => (Type)row[0]).ToList();
        Assert.Contains(typeof(DataPurpose), enums);
        Assert.Contains(typeof(DisclosureBasis), enums);
        Assert.Contains(typeof(PrivacyRequestStatus), enums);
    }

    [Fact]
    public void Known_names_read_exactly_and_nothing_else_does()
    {
        Assert.Equal("usage-statistics", WireNames.Of(DataPurpose.UsageStatistics));
        Assert.Equal("harm-prevention", WireNames.Of(DisclosureBasis.HarmPrevention));
        Assert.Equal(DataCategory.IpAddress, WireNames.TryParse<DataCategory>("ip-address"));

        Assert.Null(WireNames.TryParse<DataCategory>("IP-ADDRESS"));
        Assert.Null(WireNames.TryParse<DataCategory>("IpAddress"));
        Assert.Null(WireNames.TryParse<DataCategory>(" ip-address"));
        Assert.Null(WireNames.TryParse<DataCategory>("3"));
        Assert.Null(WireNames.TryParse<DataCategory>(string.Empty));
        Assert.Null(WireNames.TryParse<DataCategory>(null));
        var refused = Assert.Throws<FormatException>(() => WireNames.Parse<DataCategory>("not-a-category"));
        Assert.DoesNotContain("not-a-category", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_keeps_the_known_names_in_order_and_drops_the_rest()
    {
        Assert.Equal(new[] { DataPurpose.Analytics, DataPurpose.CrashReports }, WireNames.ParseAll<DataPurpose>(["analytics", "nonsense", "crash-reports"]).ToArray());
        Assert.Empty(WireNames.ParseAll<DataPurpose>(null));
        Assert.Equal(Enum.GetValues<DisclosureBasis>().Length, WireNames.All<DisclosureBasis>().Count);
        Assert.Equal(WireNames.All<DisclosureBasis>(), Enum.GetValues<DisclosureBasis>().Select(WireNames.Of));
    }

    private static void NamesMatchJson<TEnum>()
        where TEnum : struct, Enum
    {
        foreach (var value in Enum.GetValues<TEnum>())
        {
            var name = WireNames.Of(value);
            Assert.Equal(JsonSerializer.Serialize(value).Trim('"'), name);
            Assert.Equal(value, WireNames.TryParse<TEnum>(name));
            Assert.Equal(value, WireNames.Parse<TEnum>(name));
        }
    }
}
