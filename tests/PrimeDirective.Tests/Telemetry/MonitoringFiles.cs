using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PrimeDirective.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace PrimeDirective.Tests.Telemetry;

/// <summary>The alert rules and the dashboard of <c>deploy/k8s/monitoring</c>, and the metric names their expressions use.</summary>
public static partial class MonitoringFiles
{
    public static string Directory => Path.Combine(RepositoryPaths.Root(), "deploy", "k8s", "monitoring");

    /// <summary>Each alert rule: its name, expression and runbook link.</summary>
    public static IReadOnlyList<(string Alert, string Expr, string? Runbook)> Alerts()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Directory, "prime-directive-alerts.yaml")))
        {
            yaml.Load(reader);
        }

        var rules = new List<(string, string, string?)>();
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        foreach (YamlMappingNode group in (YamlSequenceNode)root["groups"])
        {
            foreach (YamlMappingNode rule in (YamlSequenceNode)group["rules"])
            {
                var annotations = (YamlMappingNode)rule["annotations"];
                rules.Add((Scalar(rule, "alert")!, Scalar(rule, "expr")!, Scalar(annotations, "runbook_url")));
            }
        }

        return rules;
    }

    /// <summary>Every panel target's expression of the dashboard.</summary>
    public static IReadOnlyList<string> DashboardExpressions()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, "prime-directive-dashboard.json")))!;
        return [.. dashboard["panels"]!.AsArray().SelectMany(panel => panel!["targets"]!.AsArray()).Select(target => (string)target!["expr"]!)];
    }

    /// <summary>The metric names <paramref name="expr"/> selects (label matchers, ranges, groupings, functions and keywords left out).</summary>
    public static IReadOnlyList<string> MetricsIn(string expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var bare = Ranges().Replace(Matchers().Replace(Groupings().Replace(expr, " "), " "), " ");
        return [.. Identifiers().Matches(bare).Select(match => match.Value)
            .Where(word => !Keywords.Contains(word)).Distinct(StringComparer.Ordinal)];
    }

    private static readonly HashSet<string> Keywords = new(["by", "without", "offset", "unless", "and", "or", "bool", "on", "ignoring", "group_left", "group_right"], StringComparer.Ordinal);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    [GeneratedRegex(@"\b(by|without|on|ignoring)\s*\([^)]*\)")]
    private static partial Regex Groupings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    // An identifier not followed by '(' (a function) and not a number's exponent.
    [GeneratedRegex(@"(?<![\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*(?![a-zA-Z0-9_:])(?!\s*\()")]
    private static partial Regex Identifiers();
}
