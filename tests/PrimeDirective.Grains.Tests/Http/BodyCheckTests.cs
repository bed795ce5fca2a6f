using System.Collections.Immutable;
using System.Text.Json;
using PrimeDirective.Gateway.Clusters;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Regions;

namespace PrimeDirective.Grains.Tests.Http;

/// <summary>
/// The people's and clusters' request bodies: each normalises what it accepts, reports a value problem per field (422) or
/// a shape problem (400), and never puts a value into a problem text.
/// </summary>
public sealed class BodyCheckTests
{
    private static readonly DateTimeOffset s_now = new(2027, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_sign_up_is_normalised()
    {
        var check = NewCheck();

        var body = (SignUpBody)new SignUpBody(" Ada@Example.org ", "  Ada  ", "us", "1990-05-17").Check(check);

        Assert.Equal(new SignUpBody("ada@example.org", "Ada", "us", "1990-05-17"), body);
        Assert.Empty(check.Values);
        Assert.Empty(check.Shape);
    }

    [Fact]
    public void A_sign_up_with_every_field_wrong_names_every_field()
    {
        var check = NewCheck();

        new SignUpBody("ada", "", "mars", "2099-01-01").Check(check);

        Assert.Equal(["birthDate", "email", "name", "region"], check.Values.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(check.Values.Values.SelectMany(problems => problems), problem => problem.Contains("mars", StringComparison.Ordinal));
    }

    [Fact]
    public void Sign_in_and_verify_normalise_the_address_and_check_the_code()
    {
        var (signIn, verify, wrong) = (NewCheck(), NewCheck(), NewCheck());

        Assert.Equal("ada@example.org", ((SignInBody)new SignInBody("ADA@example.org").Check(signIn)).Email);
        Assert.Equal(new VerifyBody("ada@example.org", "12345678"), new VerifyBody(" ada@example.org", "12345678").Check(verify));
        new VerifyBody("ada@example.org", "1234").Check(wrong);

        Assert.Empty(signIn.Values);
        Assert.Empty(verify.Values);
        Assert.Equal(["code"], wrong.Values.Keys);
    }

    [Fact]
    public void A_correction_must_correct_something_a_shape_problem()
    {
        var check = NewCheck();

        new CorrectionBody().Check(check);

        Assert.Equal(["$"], check.Shape.Keys);
        Assert.Empty(check.Values);
    }

    [Fact]
    public void An_email_code_without_the_new_address_is_a_shape_problem()
    {
        var check = NewCheck();

        new CorrectionBody(EmailCode: "12345678").Check(check);

        Assert.Equal(["email"], check.Shape.Keys);
    }

    [Fact]
    public void A_correction_checks_only_the_fields_it_carries()
    {
        var (name, all) = (NewCheck(), NewCheck());

        var corrected = (CorrectionBody)new CorrectionBody(Name: " Ada ").Check(name);
        new CorrectionBody("", "tomorrow", "x", "1").Check(all);

        Assert.Equal(new CorrectionBody(Name: "Ada"), corrected);
        Assert.Empty(name.Values);
        Assert.Equal(["birthDate", "email", "emailCode", "name"], all.Values.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_cluster_link_canonicalises_both_ids_and_checks_a_region_only_when_given()
    {
        var (given, omitted, wrong) = (NewCheck(), NewCheck(), NewCheck());
        var (clusterId, bootstrapId) = (Guid.NewGuid(), Guid.NewGuid());

        var link = (ClusterLinkBody)new ClusterLinkBody(clusterId.ToString().ToUpperInvariant(), bootstrapId.ToString(), "ap").Check(given);
        new ClusterLinkBody(clusterId.ToString(), bootstrapId.ToString()).Check(omitted);
        new ClusterLinkBody("x", bootstrapId.ToString("N"), "mars").Check(wrong);

        Assert.Equal(new ClusterLinkBody(clusterId.ToString(), bootstrapId.ToString(), "ap"), link);
        Assert.Empty(given.Values);
        Assert.Empty(omitted.Values);
        Assert.Equal(["bootstrapId", "clusterId", "region"], wrong.Values.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_json_report_is_accepted_with_its_bootstrap_id_canonical_and_its_metrics_as_numbers()
    {
        var check = NewCheck();
        var bootstrap = Guid.NewGuid();
        var body = Report(bootstrap.ToString().ToUpperInvariant(), usage: """{"running_apps": 3, "hosts": 1.5}""", performance: """{"cpu.load-1": -0.25}""");

        var checkedBody = (ReportBody)body.Check(check);
        var report = checkedBody.ToReport("cluster", "192.0.2.1");

        Assert.Empty(check.Values);
        Assert.Equal(bootstrap.ToString(), report.BootstrapId);
        Assert.Equal(3, report.Usage["running_apps"]);
        Assert.Equal(1.5, report.Usage["hosts"]);
        Assert.Equal(-0.25, report.Performance["cpu.load-1"]);
        Assert.Empty(report.Configuration);
        Assert.Equal(("cluster", "r-1", "v1", "192.0.2.1"), (report.ClusterId, report.ReportId, report.Version, report.IpAddress));
    }

    [Theory]
    [InlineData("""{"apps": "3"}""")]
    [InlineData("""{"apps": null}""")]
    [InlineData("""{"apps": true}""")]
    [InlineData("""{"apps": [1]}""")]
    [InlineData("""{"apps": {"n": 1}}""")]
    [InlineData("""{"apps": 1e400}""")]
    public void A_metric_that_is_no_finite_number_is_a_value_problem_of_its_section(string usage)
    {
        var check = NewCheck();

        Report(Guid.NewGuid().ToString(), usage: usage).Check(check);

        Assert.Equal(["usage"], check.Values.Keys);
        Assert.Equal(["metric values must be finite numbers"], check.Values["usage"]);
    }

    [Theory]
    [InlineData("Apps")]
    [InlineData("_apps")]
    [InlineData("apps counted")]
    [InlineData("")]
    [InlineData("a/b")]
    public void A_metric_name_outside_the_pattern_is_a_problem_of_its_section(string name)
    {
        var check = NewCheck();

        Report(Guid.NewGuid().ToString(), configuration: JsonSerializer.Serialize(new Dictionary<string, int> { [name] = 1 })).Check(check);

        Assert.Equal(["configuration"], check.Values.Keys);
    }

    [Fact]
    public void A_metric_name_of_64_characters_is_accepted_and_65_refused()
    {
        var (fits, over) = (NewCheck(), NewCheck());

        Report(Guid.NewGuid().ToString(), usage: $$"""{"{{new string('m', 64)}}": 1}""").Check(fits);
        Report(Guid.NewGuid().ToString(), usage: $$"""{"{{new string('m', 65)}}": 1}""").Check(over);

        Assert.Empty(fits.Values);
        Assert.Equal(["usage"], over.Values.Keys);
    }

    [Fact]
    public void A_section_may_hold_100_metrics_not_101()
    {
        var (fits, over) = (NewCheck(), NewCheck());
        string Metrics(int count) => JsonSerializer.Serialize(Enumerable.Range(0, count).ToDictionary(i => $"m{i}", i => i));

        Report(Guid.NewGuid().ToString(), performance: Metrics(ReportBody.MaxMetricsPerSection)).Check(fits);
        Report(Guid.NewGuid().ToString(), performance: Metrics(ReportBody.MaxMetricsPerSection + 1)).Check(over);

        Assert.Empty(fits.Values);
        Assert.Equal(["performance"], over.Values.Keys);
    }

    [Theory]
    [InlineData("", "v1", "bootstrapId")]
    [InlineData("ok", "", "version")]
    [InlineData("ok", "v 1", "version")]
    [InlineData("has space", "v1", "reportId")]
    [InlineData("has/slash", "v1", "reportId")]
    public void A_report_with_a_malformed_identifier_names_that_field(string reportId, string version, string field)
    {
        var check = NewCheck();
        var bootstrap = field == "bootstrapId" ? "not-a-uuid" : Guid.NewGuid().ToString();

        new ReportBody(bootstrap, version, field == "reportId" || field == "bootstrapId" ? (reportId.Length == 0 ? "ok" : reportId) : "ok").Check(check);

        Assert.Equal([field], check.Values.Keys);
    }

    [Fact]
    public void A_report_id_may_be_128_characters_of_its_alphabet_not_129()
    {
        var (fits, over) = (NewCheck(), NewCheck());
        var alphabet = "Az09._:-";

        new ReportBody(Guid.NewGuid().ToString(), "v1", string.Concat(Enumerable.Repeat(alphabet, 16))).Check(fits);
        new ReportBody(Guid.NewGuid().ToString(), "v1", string.Concat(Enumerable.Repeat(alphabet, 16)) + "x").Check(over);

        Assert.Empty(fits.Values);
        Assert.Equal(["reportId"], over.Values.Keys);
    }

    private static ReportBody Report(string bootstrapId, string? usage = null, string? performance = null, string? configuration = null) =>
        new(bootstrapId, "v1", "r-1", Section(usage), Section(performance), Section(configuration));

    private static ImmutableDictionary<string, JsonElement>? Section(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!.ToImmutableDictionary(StringComparer.Ordinal);

    private static RequestCheck NewCheck() => new(s_now, new RegionOptions());
}
