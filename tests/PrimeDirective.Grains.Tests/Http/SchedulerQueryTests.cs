using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using PrimeDirective.Gateway.Clusters;

namespace PrimeDirective.Grains.Tests.Http;

/// <summary>
/// Flynn's scheduler report as its query string carries it: what is accepted (and how it is read), what is refused, and
/// that a refusal names parameters, never values.
/// </summary>
public sealed class SchedulerQueryTests
{
    [Fact]
    public void A_full_report_is_read_with_canonical_ids_and_counts_named_without_their_prefix()
    {
        var (cluster, bootstrap) = (Guid.NewGuid(), Guid.NewGuid());

        var (query, errors) = SchedulerQuery.Parse(Query(Valid(cluster.ToString().ToUpperInvariant(), bootstrap.ToString())));

        Assert.Empty(errors);
        Assert.NotNull(query);
        Assert.Equal((cluster.ToString(), bootstrap.ToString(), "v20261207.0"), (query.ClusterId, query.BootstrapId, query.Version));
        Assert.Equal(
            new Dictionary<string, double> { ["hosts"] = 3, ["running_jobs"] = 12, ["running_apps"] = 4, ["running_formations"] = 5, ["postgres_dbs"] = 2 },
            query.Counts.ToDictionary());
    }

    [Fact]
    public void Unknown_parameters_are_ignored_and_not_kept()
    {
        var parameters = Valid(Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        parameters["ct_secret_thing"] = "9";
        parameters["email"] = "ada@example.org";

        var (query, errors) = SchedulerQuery.Parse(Query(parameters));

        Assert.Empty(errors);
        Assert.DoesNotContain("secret_thing", query!.Counts.Keys);
        Assert.Equal(5, query.Counts.Count);
    }

    [Theory]
    [InlineData("id_cluster")]
    [InlineData("id_bootstrap")]
    [InlineData("id_version")]
    [InlineData("ct_hosts")]
    [InlineData("ct_running_jobs")]
    [InlineData("ct_running_apps")]
    [InlineData("ct_running_formations")]
    public void A_missing_required_parameter_is_named(string name)
    {
        var parameters = Valid(Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        parameters.Remove(name);

        var (query, errors) = SchedulerQuery.Parse(Query(parameters));

        Assert.Null(query);
        Assert.Equal([name], errors.Keys);
        Assert.Equal(["is required"], errors[name]);
    }

    [Theory]
    [InlineData("ct_mongodb_dbs")]
    [InlineData("ct_mysql_dbs")]
    [InlineData("ct_redis_dbs")]
    public void Optional_database_counts_are_read_when_sent(string name)
    {
        var parameters = Valid(Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        parameters[name] = "7";

        var (query, _) = SchedulerQuery.Parse(Query(parameters));

        Assert.Equal(7, query!.Counts[name["ct_".Length..]]);
    }

    [Theory]
    [InlineData("ct_hosts", "-1")]
    [InlineData("ct_hosts", "1.5")]
    [InlineData("ct_hosts", "2147483648")]
    [InlineData("ct_hosts", "+3")]
    [InlineData("ct_hosts", " 3")]
    [InlineData("ct_postgres_dbs", "many")]
    [InlineData("id_cluster", "not-a-uuid")]
    [InlineData("id_bootstrap", "3f2504e04f8911d39a0c0305e82c3301")]
    [InlineData("id_version", "v 1")]
    public void A_malformed_value_is_refused_naming_its_parameter_never_echoing_it(string name, string value)
    {
        var parameters = Valid(Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        parameters[name] = value;

        var (query, errors) = SchedulerQuery.Parse(Query(parameters));

        Assert.Null(query);
        Assert.Equal([name], errors.Keys);
        // Short values (a digit) may occur in any text by chance; longer ones must not be echoed.
        Assert.DoesNotContain(errors[name], problem => value.Trim().Length > 3 && problem.Contains(value.Trim(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_parameter_given_twice_is_refused()
    {
        var parameters = Valid(Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        parameters["ct_hosts"] = new StringValues(["1", "2"]);

        var (query, errors) = SchedulerQuery.Parse(Query(parameters));

        Assert.Null(query);
        Assert.Equal(["must be given once"], errors["ct_hosts"]);
    }

    [Fact]
    public void An_empty_query_names_every_required_parameter()
    {
        var (query, errors) = SchedulerQuery.Parse(Query([]));

        Assert.Null(query);
        Assert.Equal(
            ["ct_hosts", "ct_running_apps", "ct_running_formations", "ct_running_jobs", "id_bootstrap", "id_cluster", "id_version"],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    private static Dictionary<string, StringValues> Valid(string cluster, string bootstrap) => new(StringComparer.Ordinal)
    {
        ["id_cluster"] = cluster,
        ["id_bootstrap"] = bootstrap,
        ["id_version"] = "v20261207.0",
        ["ct_hosts"] = "3",
        ["ct_running_jobs"] = "12",
        ["ct_running_apps"] = "4",
        ["ct_running_formations"] = "5",
        ["ct_postgres_dbs"] = "2",
    };

    private static QueryCollection Query(Dictionary<string, StringValues> parameters) => new(parameters);
}
