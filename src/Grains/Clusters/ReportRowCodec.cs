using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// How one report's items become one <c>report</c> row (V018) and back: every item's attributes in the <c>items</c>
/// jsonb array, the IP address item's value alone in <c>ip_address</c> (the personal column, nulled or sealed on its
/// own), expiries as microseconds since the Unix epoch (what PostgreSQL keeps, exactly).
/// </summary>
public static class ReportRowCodec
{
    /// <summary>The row's columns for a report's items: collection time, earliest expiry, items, the IP address.</summary>
    public static (DateTimeOffset CollectedAt, DateTimeOffset ExpiresAt, string Items, string? IpAddress) Encode(IReadOnlyList<HeldItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfZero(items.Count);
        var collectedAt = items.Min(item => item.CollectedAt);
        string? ipAddress = null;
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var item in items)
            {
                json.WriteStartObject();
                json.WriteString("c", WireNames.Of(item.Category));
                json.WriteString("s", WireNames.Of(item.Source));
                json.WriteString("p", WireNames.Of(item.Purpose));
                json.WriteNumber("e", Microseconds(item.ExpiresAt ?? throw new ArgumentException("A report item needs its expiry.", nameof(items))));
                json.WriteBoolean("n", item.Personal);
                if (item.CollectedAt != collectedAt)
                {
                    json.WriteNumber("a", Microseconds(item.CollectedAt));
                }

                if (item.Category == DataCategory.IpAddress && ipAddress is null)
                {
                    ipAddress = item.Value;
                }
                else if (item.Value is not null)
                {
                    json.WriteString("v", item.Value);
                }

                if (!item.Metrics.IsEmpty)
                {
                    json.WritePropertyName("m");
                    json.WriteStartObject();
                    foreach (var (name, value) in item.Metrics)
                    {
                        json.WriteNumber(name, value);
                    }

                    json.WriteEndObject();
                }

                if (item.Basis is not null)
                {
                    json.WriteString("b", item.Basis);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return (collectedAt, items.Min(item => item.ExpiresAt!.Value), Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), ipAddress);
    }

    /// <summary>The items a row holds, in category order (as the item table ordered them).</summary>
    public static IEnumerable<HeldItem> Decode(string reportId, DateTimeOffset collectedAt, string items, string? ipAddress)
    {
        using var document = JsonDocument.Parse(items);
        var decoded = new List<HeldItem>(document.RootElement.GetArrayLength());
        var ipTaken = false;
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var category = WireNames.Parse<DataCategory>(item.GetProperty("c").GetString()!);
            string? value;
            if (category == DataCategory.IpAddress && !ipTaken)
            {
                (value, ipTaken) = (ipAddress, true);
            }
            else
            {
                value = item.TryGetProperty("v", out var text) ? text.GetString() : null;
            }

            var metrics = ImmutableDictionary<string, double>.Empty;
            if (item.TryGetProperty("m", out var numbers))
            {
                metrics = numbers.EnumerateObject().ToImmutableDictionary(metric => metric.Name, metric => metric.Value.GetDouble(), StringComparer.Ordinal);
            }

            decoded.Add(new HeldItem(
                ReportRows.ItemId(reportId, category), reportId, category,
                WireNames.Parse<DataSource>(item.GetProperty("s").GetString()!),
                WireNames.Parse<DataPurpose>(item.GetProperty("p").GetString()!),
                item.TryGetProperty("a", out var at) ? FromMicroseconds(at.GetInt64()) : collectedAt,
                FromMicroseconds(item.GetProperty("e").GetInt64()),
                item.GetProperty("n").GetBoolean(),
                value,
                metrics,
                item.TryGetProperty("b", out var basis) ? basis.GetString() : null));
        }

        return decoded.OrderBy(item => WireNames.Of(item.Category), StringComparer.Ordinal);
    }

    /// <summary>Microseconds since the Unix epoch (PostgreSQL's own resolution).</summary>
    public static long Microseconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * 10);
}
