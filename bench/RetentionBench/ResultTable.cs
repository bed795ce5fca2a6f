using System.Globalization;
using System.Text;

namespace PrimeDirective.RetentionBench;

/// <summary>The run's results as a two-column markdown table, in the order they were measured.</summary>
internal sealed class ResultTable
{
    private readonly List<(string Metric, string Value)> _rows = [];

    public void Add(string metric, string value) => _rows.Add((metric, value));

    public void Add(string metric, FormattableString value) => _rows.Add((metric, value.ToString(CultureInfo.InvariantCulture)));

    public static string MiB(long bytes) => (bytes / 1024d / 1024d).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("| metric | value |");
        text.AppendLine("| --- | --- |");
        foreach (var (metric, value) in _rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {metric} | {value} |").AppendLine();
        }

        return text.ToString();
    }
}
