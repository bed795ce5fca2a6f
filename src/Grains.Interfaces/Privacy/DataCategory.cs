using System.Text.Json.Serialization;

namespace PrimeDirective.Grains.Interfaces.Privacy;

/// <summary>What kind of data an item is; its retention follows from the category.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DataCategory>))]
public enum DataCategory
{
    /// <summary>Usage statistics (counts of hosts, jobs, apps ...).</summary>
    [JsonStringEnumMemberName("usage")]
    Usage = 0,

    /// <summary>Performance statistics.</summary>
    [JsonStringEnumMemberName("performance")]
    Performance = 1,

    /// <summary>Configuration statistics, including the reporting software's version.</summary>
    [JsonStringEnumMemberName("configuration")]
    Configuration = 2,

    /// <summary>The IP address a report came from.</summary>
    [JsonStringEnumMemberName("ip-address")]
    IpAddress = 3,

    /// <summary>A randomly generated identifier (a cluster's bootstrap id).</summary>
    [JsonStringEnumMemberName("identifier")]
    Identifier = 4,

    /// <summary>Crash report contents.</summary>
    [JsonStringEnumMemberName("crash-report")]
    CrashReport = 5,

    /// <summary>Data we inferred from other data.</summary>
    [JsonStringEnumMemberName("inferred")]
    Inferred = 6,

    /// <summary>Account data a person gave us (name, email, birth date).</summary>
    [JsonStringEnumMemberName("account")]
    Account = 7,

    /// <summary>What someone else (a named source, e.g. a cloud provider) told us about a person.</summary>
    [JsonStringEnumMemberName("third-party-record")]
    ThirdPartyRecord = 8,
}

/// <summary>How we learned an item (policy: "How do we learn information about you?").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DataSource>))]
public enum DataSource
{
    /// <summary>Given to us directly.</summary>
    [JsonStringEnumMemberName("direct")]
    Direct = 0,

    /// <summary>Collected automatically by our products (Flynn telemetry).</summary>
    [JsonStringEnumMemberName("automatic")]
    Automatic = 1,

    /// <summary>Told to us by someone else.</summary>
    [JsonStringEnumMemberName("third-party")]
    ThirdParty = 2,

    /// <summary>Inferred by us from other information.</summary>
    [JsonStringEnumMemberName("inferred")]
    Inferred = 3,
}

/// <summary>Why an item was collected; processing for a purpose needs that purpose's consent or contract.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DataPurpose>))]
public enum DataPurpose
{
    /// <summary>Flynn usage, performance and configuration statistics.</summary>
    [JsonStringEnumMemberName("usage-statistics")]
    UsageStatistics = 0,

    /// <summary>Crash reports a person chose to send.</summary>
    [JsonStringEnumMemberName("crash-reports")]
    CrashReports = 1,

    /// <summary>Website analytics.</summary>
    [JsonStringEnumMemberName("analytics")]
    Analytics = 2,

    /// <summary>Sharing with a third party under consent.</summary>
    [JsonStringEnumMemberName("third-party-sharing")]
    ThirdPartySharing = 3,

    /// <summary>Providing the service a person signed up for.</summary>
    [JsonStringEnumMemberName("service-provision")]
    ServiceProvision = 4,
}
