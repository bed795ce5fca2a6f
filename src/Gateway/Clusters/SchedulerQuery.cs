using System.Collections.Immutable;
using System.Globalization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Primitives;
using Microsoft.OpenApi;
using PrimeDirective.Gateway.Http;

namespace PrimeDirective.Gateway.Clusters;

/// <summary>
/// Flynn's scheduler report (<c>GET /measure/scheduler</c>), parsed from the query string exactly as Flynn sends it:
/// <c>id_version</c>, <c>id_bootstrap</c>, <c>id_cluster</c> and <c>ct_*</c> counts. Unknown parameters are ignored.
/// </summary>
internal sealed record SchedulerQuery(string ClusterId, string BootstrapId, string Version, ImmutableDictionary<string, double> Counts)
{
    /// <summary>Counts Flynn always sends.</summary>
    public static readonly ImmutableArray<string> RequiredCounts = ["ct_hosts", "ct_running_jobs", "ct_running_apps", "ct_running_formations"];

    /// <summary>Database counts; older and newer schedulers differ in which they send.</summary>
    public static readonly ImmutableArray<string> OptionalCounts = ["ct_postgres_dbs", "ct_mongodb_dbs", "ct_mysql_dbs", "ct_redis_dbs"];

    /// <summary>Documents the query parameters that <see cref="Parse"/> reads.</summary>
    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext _, CancellationToken __)
    {
        string[] ids = ["id_cluster", "id_bootstrap", "id_version"];
        foreach (var name in ids.Concat(RequiredCounts).Concat(OptionalCounts))
        {
            var schema = new OpenApiSchema { Type = name.StartsWith("ct_", StringComparison.Ordinal) ? JsonSchemaType.Integer : JsonSchemaType.String };
            (operation.Parameters ??= []).Add(new OpenApiParameter { Name = name, In = ParameterLocation.Query, Required = !OptionalCounts.Contains(name), Schema = schema });
        }

        return Task.CompletedTask;
    }

    /// <summary>Parses the query; on failure, the errors by parameter name (never echoing values).</summary>
    public static (SchedulerQuery? Query, Dictionary<string, string[]> Errors) Parse(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        string? Single(string name, bool required)
        {
            var values = query.TryGetValue(name, out var found) ? found : StringValues.Empty;
            var value = values.Count == 1 ? values[0] : null;
            return values.Count > 1 ? Fail(name, "must be given once")
                : required && string.IsNullOrEmpty(value) ? Fail(name, "is required")
                : value;
        }

        string? Uuid(string name)
        {
            var text = Single(name, required: true);
            return Identifiers.Uuid(text) ?? (text is null ? null : Fail(name, "must be a UUID"));
        }

        string? Fail(string name, string problem)
        {
            errors[name] = [problem];
            return null;
        }

        var clusterId = Uuid("id_cluster");
        var bootstrapId = Uuid("id_bootstrap");
        var version = Single("id_version", required: true);
        version = version is null || Identifiers.IsVersion(version) ? version : Fail("id_version", $"must be 1 to {Identifiers.MaxVersionLength} printable characters");

        var counts = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var name in RequiredCounts.Concat(OptionalCounts))
        {
            if (Single(name, required: RequiredCounts.Contains(name)) is not { } text)
            {
                continue;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                counts[name["ct_".Length..]] = count;
            }
            else
            {
                Fail(name, "must be a non-negative integer no larger than 2147483647");
            }
        }

        return errors.Count > 0
            ? (null, errors)
            : (new SchedulerQuery(clusterId!, bootstrapId!, version!, counts.ToImmutable()), errors);
    }
}
