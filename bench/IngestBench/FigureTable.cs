using System.Globalization;
using System.Text;

namespace PrimeDirective.IngestBench;

/// <summary>
/// The run's figures as one markdown table: a row per measure, a column per round, the median, the target and whether
/// the median meets it. Notes (sizes, overlap, errors) go below the table.
/// </summary>
internal sealed class FigureTable(int rounds)
{
    private readonly List<Row> _rows = [];
    private readonly List<string> _notes = [];

    /// <summary>The row for <paramref name="measure"/>, created on first use, in first-use order.</summary>
    public Row this[string figure, string measure, string format, string target = "", Func<double, bool>? meets = null]
    {
        get
        {
            var row = _rows.FirstOrDefault(existing => existing.Figure == figure && existing.Measure == measure);
            if (row is null)
            {
                row = new Row(figure, measure, format, target, meets, new double?[rounds]);
                _rows.Add(row);
            }

            return row;
        }
    }

    public void Note(string note) => _notes.Add(note);

    /// <summary>The median of the runs measured (a failed run counts as missing).</summary>
    public static double? Median(IEnumerable<double?> runs)
    {
        var values = runs.OfType<double>().Where(value => !double.IsNaN(value)).Order().ToArray();
        if (values.Length == 0)
        {
            return null;
        }

        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }

    public string Render()
    {
        var text = new StringBuilder();
        var runs = string.Join(" | ", Enumerable.Range(1, rounds).Select(round => $"run {round}"));
        text.AppendLine(CultureInfo.InvariantCulture, $"| # | measure | {runs} | **median** | target | met |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| --- | --- | {string.Join(" | ", Enumerable.Repeat("---", rounds))} | --- | --- | --- |");
        foreach (var row in _rows)
        {
            var median = Median(row.Runs);
            var cells = string.Join(" | ", row.Runs.Select(run => Format(run, row.Format)));
            var met = row.Meets is null || median is null ? string.Empty : row.Meets(median.Value) ? "yes" : "**no**";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Figure} | {row.Measure} | {cells} | **{Format(median, row.Format)}** | {row.Target} | {met} |");
        }

        if (_notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in _notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }

        return text.ToString();
    }

    private static string Format(double? value, string format) =>
        value is { } number && !double.IsNaN(number) ? number.ToString(format, CultureInfo.InvariantCulture) : "—";

    internal sealed record Row(string Figure, string Measure, string Format, string Target, Func<double, bool>? Meets, double?[] Runs)
    {
        public void Set(int round, double value) => Runs[round] = value;
    }
}
