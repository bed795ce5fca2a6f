using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Gateway.Notices;

/// <summary>
/// A breach declaration: where, which data, when it was exposed, what happened and what people should do, and when we
/// became aware of it (the 72-hour clock's start; now if not given, never in the future).
/// </summary>
internal sealed record BreachBody(
    ImmutableArray<string> Regions, ImmutableArray<string> Categories, string ExposedFrom, string ExposedUntil, string Description, string Advice,
    string? AwareAt = null) : IRequestBody
{
    public const int MaxDescriptionLength = 4000;

    public const int MaxAdviceLength = 2000;

    /// <summary>The parsed categories, once checked.</summary>
    [JsonIgnore]
    public ImmutableArray<DataCategory>? Parsed { get; private init; }

    /// <summary>The categories as checked (parsed), for the grain.</summary>
    [JsonIgnore]
    public ImmutableArray<DataCategory>? CategoriesChecked => Parsed;

    [JsonIgnore]
    public DateTimeOffset From { get; private init; }

    [JsonIgnore]
    public DateTimeOffset Until { get; private init; }

    /// <summary>When we became aware, once checked.</summary>
    [JsonIgnore]
    public DateTimeOffset Aware { get; private init; }

    /// <summary>The categories' JSON names.</summary>
    [JsonIgnore]
    public IEnumerable<string> CategoryNames => (Parsed ?? []).Select(WireNames.Of);

    public IRequestBody Check(RequestCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var regions = Regions.IsDefault ? [] : Regions;
        var categories = Categories.IsDefault ? [] : Categories;
        check.Require(regions.Length > 0 && regions.Distinct(StringComparer.Ordinal).Count() == regions.Length, "regions", "must name one or more regions, each once");
        foreach (var region in regions)
        {
            check.Region("regions", region);
        }

        var parsed = categories.Select(WireNames.TryParse<DataCategory>).ToList();
        check.Require(parsed.Count > 0 && parsed.All(category => category is not null) && parsed.Distinct().Count() == parsed.Count,
            "categories", "must name one or more known data categories, each once");
        var from = IsoInstant.Parse(ExposedFrom);
        var until = IsoInstant.Parse(ExposedUntil);
        check.Require(from is not null, "exposedFrom", "must be a date and time (ISO 8601, with offset)");
        check.Require(until is not null && (from is null || until > from), "exposedUntil", "must be a date and time (ISO 8601, with offset) after exposedFrom");
        var aware = string.IsNullOrWhiteSpace(AwareAt) ? check.Now : IsoInstant.Parse(AwareAt);
        check.Require(aware is not null && aware <= check.Now, "awareAt", "must be a date and time (ISO 8601, with offset), not in the future");
        return this with
        {
            AwareAt = string.IsNullOrWhiteSpace(AwareAt) ? check.Now.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) : AwareAt,
            Aware = aware ?? default,
            Regions = regions,
            Description = check.Text("description", Description, MaxDescriptionLength),
            Advice = check.Text("advice", Advice, MaxAdviceLength),
            Parsed = [.. parsed.OfType<DataCategory>()],
            From = from ?? default,
            Until = until ?? default,
        };
    }
}

/// <summary>A policy version to publish: its name, when it takes effect (not in the past), whether it is substantive, a summary and the text (Markdown).</summary>
internal sealed partial record PolicyVersionBody(string Version, string EffectiveAt, bool Substantive, string Summary, string Text) : IRequestBody
{
    public const int MaxSummaryLength = 2000;

    /// <summary>The longest text (characters); a body is also bounded by the gateway's size limit.</summary>
    public const int MaxTextLength = 50_000;

    [JsonIgnore]
    public DateTimeOffset? Effective { get; private init; }

    public static bool IsVersionName(string text) => VersionName().IsMatch(text);

    public IRequestBody Check(RequestCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var effective = IsoInstant.Parse(EffectiveAt);
        check.Require(IsVersionName(Version), "version", "must be 1 to 64 letters, digits, dots or hyphens, starting with a letter or digit");
        check.Require(effective is not null && effective >= check.Now, "effectiveAt", "must be a date and time (ISO 8601, with offset), not in the past");
        var text = Text.Trim();
        check.Require(text.Length is > 0 and <= MaxTextLength && !text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')),
            "text", $"must be 1 to {MaxTextLength} characters of Markdown");
        return this with { Summary = check.Text("summary", Summary, MaxSummaryLength), Text = text, Effective = effective };
    }

    [GeneratedRegex(@"^[0-9A-Za-z][0-9A-Za-z.\-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionName();
}

/// <summary>
/// A breach as officers see it: the declaration, its fan-out's counts, and its 72-hour clock (GDPR Art. 33): when we
/// became aware, the deadline, whether the supervisory authority was notified, and whether the deadline passed without it.
/// </summary>
internal sealed record BreachView(
    string Id, ImmutableArray<string> Regions, ImmutableArray<string> Categories, DateTimeOffset? ExposedFrom, DateTimeOffset? ExposedUntil,
    string? Description, string? Advice, DateTimeOffset DeclaredAt, string DeclaredBy, NoticeProgress Progress,
    DateTimeOffset AwareAt, DateTimeOffset Deadline, bool Overdue, bool AuthorityNotified, AuthorityNotificationView? AuthorityNotification)
{
    public static BreachView From(NoticeStatus status)
    {
        var campaign = status.Campaign;
        return new(campaign.Id, campaign.Regions, [.. campaign.Categories.Select(WireNames.Of)], campaign.From, campaign.To,
            campaign.Description, campaign.Advice, campaign.DeclaredAt, status.DeclaredBy, status.Progress,
            campaign.AwareAt ?? campaign.DeclaredAt, campaign.Deadline, status.Overdue, status.Authority is not null,
            status.Authority is { } authority ? new(authority.Authority, authority.Reference, authority.NotifiedAt, authority.RecordedBy, authority.RecordedAt) : null);
    }
}

/// <summary>The supervisory authority's notification of a breach, as recorded.</summary>
internal sealed record AuthorityNotificationView(string Authority, string Reference, DateTimeOffset NotifiedAt, string RecordedBy, DateTimeOffset RecordedAt);

/// <summary>That the supervisory authority was notified of a breach: which authority, its reference, when (not in the future).</summary>
internal sealed record AuthorityNotificationBody(string Authority, string Reference, string NotifiedAt) : IRequestBody
{
    public const int MaxLength = 200;

    [JsonIgnore]
    public DateTimeOffset Notified { get; private init; }

    public IRequestBody Check(RequestCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var notified = IsoInstant.Parse(NotifiedAt);
        check.Require(notified is not null && notified <= check.Now, "notifiedAt", "must be a date and time (ISO 8601, with offset), not in the future");
        return this with
        {
            Authority = check.Text("authority", Authority, MaxLength),
            Reference = check.Text("reference", Reference, MaxLength),
            Notified = notified ?? default,
        };
    }
}

/// <summary>One version of the policy: its effective date first, as the policy promises.</summary>
internal sealed record PolicyDocument(DateTimeOffset EffectiveAt, string Version, bool Substantive, string Summary, DateTimeOffset PublishedAt, string Text)
{
    public static PolicyDocument From(PolicyVersion version) =>
        new(version.EffectiveAt, version.Version, version.Substantive, version.Summary, version.PublishedAt, version.Text);
}

/// <summary>The policy page: the version in effect, its effective date first, then every version's summary.</summary>
internal sealed record PolicyPage(DateTimeOffset EffectiveAt, string Version, string Summary, string Text, ImmutableArray<PolicyVersionSummary> History)
{
    public static PolicyPage From(PolicyView view) =>
        new(view.InEffect.EffectiveAt, view.InEffect.Version, view.InEffect.Summary, view.InEffect.Text, view.History);
}

/// <summary>Notices' JSON, source-generated.</summary>
[JsonSerializable(typeof(BreachBody))]
[JsonSerializable(typeof(BreachView))]
[JsonSerializable(typeof(ImmutableArray<BreachView>))]
[JsonSerializable(typeof(AuthorityNotificationBody))]
[JsonSerializable(typeof(PolicyVersionBody))]
[JsonSerializable(typeof(PolicyDocument))]
[JsonSerializable(typeof(PolicyPage))]
[JsonSerializable(typeof(NoticeProgress))]
internal sealed partial class NoticeJson : JsonSerializerContext;
