using System.Globalization;
using System.Net;
using System.Text;
using PrimeDirective.Grains.Interfaces.Stats;
using ScottPlot;

namespace PrimeDirective.Gateway.Stats;

/// <summary>The <c>/stats</c> page: one SVG chart per metric (ScottPlot, drawn here), and the same numbers as tables.</summary>
internal static class StatsPage
{
    private const string FontName = "DejaVu Sans";

    private static readonly Lazy<bool> s_font = new(() =>
    {
        // Without a font file ScottPlot draws no text at all, silently.
        Fonts.AddFontFile(FontName, Path.Combine(AppContext.BaseDirectory, "Stats", "Fonts", "DejaVuSans.ttf"));
        Fonts.Default = FontName;
        return true;
    });

    private static readonly Dictionary<string, string> s_titles = new(StringComparer.Ordinal)
    {
        ["versions"] = "Clusters by Flynn version",
        ["hosts"] = "Clusters by number of hosts",
        ["databases"] = "Clusters by database kind in use",
        ["workloads"] = "Running apps and jobs",
    };

    public static string Render(StatsRelease release)
    {
        _ = s_font.Value;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Prime Directive — public statistics</title>")
            .Append("<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .5rem;text-align:right}</style>")
            .Append("</head><body><h1>Public statistics</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>Released days from {release.From:yyyy-MM-dd} to {release.To:yyyy-MM-dd}. ")
            .Append("Each UTC day is released once, after it closed, and never drawn again: today is never shown. ")
            .Append("Every number carries discrete Laplace noise, and a bucket is shown only when its noisy count of distinct clusters reaches k (a version label: the higher count in the table below, so a label run by fewer than k clusters is named with probability at most δ); ")
            .Append("smaller ones are merged into <em>other</em> or not shown. One cluster on one day is the unit protected, with the ε of each statistic below; ")
            .Append("a cluster that reports every day is covered by the sum of the days' ε. These figures hold no identifier of anyone.</p>")
            .Append(Budget(release));
        foreach (var (metric, title) in s_titles)
        {
            var rows = release.Rows.Where(row => row.Metric == metric).ToList();
            html.Append(CultureInfo.InvariantCulture, $"<section><h2>{title}</h2>");
            if (rows.Count == 0)
            {
                html.Append("<p>Nothing to publish yet.</p></section>");
                continue;
            }

            html.Append(metric == "workloads" ? WorkloadChart(rows) : BucketChart(rows)).Append(Table(rows, metric == "workloads")).Append("</section>");
        }

        return html.Append("</body></html>").ToString();
    }

    /// <summary>Distinct clusters per bucket on the latest published day.</summary>
    private static string BucketChart(List<StatsRow> rows)
    {
        var day = rows.Max(row => row.Day);
        var latest = rows.Where(row => row.Day == day).OrderBy(row => row.Bucket, StringComparer.Ordinal).ToList();
        var plot = new Plot();
        plot.Add.Bars(latest.Select(row => (double)row.Clusters).ToArray());
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, latest.Count).Select(index => (double)index)], [.. latest.Select(row => row.Bucket)]);
        plot.Axes.Margins(bottom: 0);
        plot.Title(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        plot.YLabel("clusters");
        return plot.GetSvgHtml(640, 320);
    }

    /// <summary>Running apps and jobs per day.</summary>
    private static string WorkloadChart(List<StatsRow> rows)
    {
        var ordered = rows.OrderBy(row => row.Day).ToList();
        var days = ordered.Select(row => (double)row.Day.DayNumber).ToArray();
        var plot = new Plot();
        plot.Add.Scatter(days, ordered.Select(row => (double)(row.Apps ?? 0)).ToArray()).LegendText = "apps";
        plot.Add.Scatter(days, ordered.Select(row => (double)(row.Jobs ?? 0)).ToArray()).LegendText = "jobs";
        plot.Axes.Bottom.SetTicks(days, [.. ordered.Select(row => row.Day.ToString("MM-dd", CultureInfo.InvariantCulture))]);
        plot.ShowLegend();
        return plot.GetSvgHtml(640, 320);
    }

    /// <summary>Each released day's k, δ and ε per statistic.</summary>
    private static string Budget(StatsRelease release)
    {
        if (release.Days.IsEmpty)
        {
            return "<p>No day has been released yet.</p>";
        }

        var table = new StringBuilder("<section><h2>Privacy budget per day</h2><table><thead><tr><th>day</th><th>k</th><th>version labels need</th><th>δ</th><th>ε (day)</th>");
        foreach (var statistic in StatsStatistics.All)
        {
            table.Append(CultureInfo.InvariantCulture, $"<th>ε {statistic}</th>");
        }

        table.Append("</tr></thead><tbody>");
        foreach (var day in release.Days.OrderBy(day => day.Day))
        {
            table.Append(CultureInfo.InvariantCulture, $"<tr><td>{day.Day:yyyy-MM-dd}</td><td>{day.K}</td><td>{day.Budget.FirstOrDefault(entry => entry.Statistic == StatsStatistics.Versions)?.Threshold}</td><td>{day.Delta}</td><td>{day.Epsilon}</td>");
            foreach (var statistic in StatsStatistics.All)
            {
                table.Append(CultureInfo.InvariantCulture, $"<td>{day.Budget.FirstOrDefault(entry => entry.Statistic == statistic)?.Epsilon}</td>");
            }

            table.Append("</tr>");
        }

        return table.Append("</tbody></table></section>").ToString();
    }

    private static string Table(List<StatsRow> rows, bool workload)
    {
        var table = new StringBuilder("<table><thead><tr><th>day</th><th>bucket</th><th>clusters</th>");
        table.Append(workload ? "<th>apps</th><th>jobs</th>" : string.Empty).Append("</tr></thead><tbody>");
        foreach (var row in rows.OrderBy(row => row.Day).ThenBy(row => row.Bucket, StringComparer.Ordinal))
        {
            table.Append(CultureInfo.InvariantCulture, $"<tr><td>{row.Day:yyyy-MM-dd}</td><td>{WebUtility.HtmlEncode(row.Bucket)}</td><td>{row.Clusters}</td>");
            table.Append(workload ? string.Create(CultureInfo.InvariantCulture, $"<td>{row.Apps}</td><td>{row.Jobs}</td>") : string.Empty).Append("</tr>");
        }

        return table.Append("</tbody></table>").ToString();
    }
}
