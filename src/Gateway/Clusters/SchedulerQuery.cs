using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace PrimeDirective.Gateway.Clusters;

/// <summary>
/// Flynn's scheduler report (<c>GET /measure/scheduler</c>), parsed from the query string exactly as Flynn sends it:
/// <c>id_version</c>, <c>id_bootstrap</c>, <c>id_cluster</c> and <c>ct_*</c> counts. Unknown parameters are ignored.
/// </summary>
internal sealed record SchedulerQuery(string ClusterId, string BootstrapId, string Version, ImmutableDictionary<string, double> Counts)
{
    public const int MaxVersionLength = 64;

    /// <summary>Counts Flynn always sends.</summary>
    public static readonly ImmutableArray<string> RequiredCounts = ["ct_hosts", "ct_running_jobs", "ct_running_apps", "ct_running_formations"];

    /// <summary>Database counts; older and newer schedulers differ in which they send.</summary>
    public static readonly ImmutableArray<string> OptionalCounts = ["ct_postgres_dbs", "ct_mongodb_dbs", "ct_mysql_dbs", "ct_redis_dbs"];

    /// <summary>Parses the query; on failure, the errors by parameter name (never echoing values).</summary>
    public static (SchedulerQuery? Query, Dictionary<string, string[]> Errors) Parse(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        string? Single(string name, bool required)
        {
            var values = query.TryGetValue(name, out var found) ? found : StringValues.Empty;
            if (values.Count > 1)
            {
                errors[name] = ["must be given once"];
                return null;
            }

            var value = values.Count == 1 ? values[0] : null;
            if (required && string.IsNullOrEmpty(value))
            {
                errors[name] = ["is required"];
                return null;
            }

            return value;
        }

        var clusterId = Identifiers.Uuid(Single("id_cluster", required: true), "id_cluster", errors);
        var bootstrapId = Identifiers.Uuid(Single("id_bootstrap", required: true), "id_bootstrap", errors);
        var version = Single("id_version", required: true);
        if (version is not null && !Identifiers.IsVersion(version))
        {
            errors["id_version"] = [$"must be 1 to {MaxVersionLength} printable characters"];
        }

        var counts = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var name in RequiredCounts.Concat(OptionalCounts))
        {
            var text = Single(name, required: RequiredCounts.Contains(name));
            if (text is null)
            {
                continue;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                counts[name["ct_".Length..]] = count;
            }
            else
            {
                errors[name] = ["must be a non-negative integer no larger than 2147483647"];
            }
        }

        return errors.Count > 0
            ? (null, errors)
            : (new SchedulerQuery(clusterId!, bootstrapId!, version!, counts.ToImmutable()), errors);
    }
}
