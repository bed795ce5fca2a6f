using System.Globalization;
using System.Net.Mail;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.Http;

/// <summary>A request body with value rules: the framework binds its shape, <see cref="Check"/> its values.</summary>
internal interface IRequestBody
{
    /// <summary>The body with its values normalised (trimmed, canonical); what is wrong goes to <paramref name="check"/>.</summary>
    IRequestBody Check(RequestCheck check);
}

/// <summary>
/// The endpoint filter that runs <see cref="IRequestBody.Check"/> before any handler: shape errors answer 400, value
/// errors 422, and the handler gets the normalised body. Problem texts name fields, never values.
/// </summary>
internal sealed class RequestCheck(DateTimeOffset now, RegionOptions regions)
{
    public const int MaxEmailLength = 254;

    public const int MaxNameLength = 200;

    public DateTimeOffset Now { get; } = now;

    public Dictionary<string, string[]> Shape { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string[]> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds the check to every handler of <paramref name="builder"/> that takes an <see cref="IRequestBody"/>.</summary>
    public static TBuilder Apply<TBuilder>(TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.AddEndpointFilterFactory((factory, next) =>
        {
            var index = Array.FindIndex(factory.MethodInfo.GetParameters(), parameter => parameter.ParameterType.IsAssignableTo(typeof(IRequestBody)));
            return index < 0 ? next : async invocation =>
            {
                var services = invocation.HttpContext.RequestServices;
                var check = new RequestCheck(services.GetRequiredService<TimeProvider>().GetUtcNow(), services.GetRequiredService<IOptions<RegionOptions>>().Value);
                invocation.Arguments[index] = ((IRequestBody)invocation.Arguments[index]!).Check(check);
                return check.Shape.Count > 0 ? Problems.Malformed(check.Shape)
                    : check.Values.Count > 0 ? Problems.Invalid(check.Values)
                    : await next(invocation);
            };
        });

    /// <summary>Records <paramref name="problems"/> for <paramref name="field"/> unless <paramref name="holds"/>.</summary>
    public void Require(bool holds, string field, params string[] problems)
    {
        if (!holds)
        {
            Values[field] = problems;
        }
    }

    /// <summary>A normalised (trimmed, lower-case) single address without display name.</summary>
    public string Email(string field, string text)
    {
        text = text.Trim();
        Require(
            text.Length is > 0 and <= MaxEmailLength && !text.Any(char.IsControl) && text.Count(c => c == '@') == 1 &&
            MailAddress.TryCreate(text, out var address) && address.Address == text && address.DisplayName.Length == 0 && address.Host.Contains('.', StringComparison.Ordinal),
            field,
            $"must be one email address of at most {MaxEmailLength} characters");
        return text.ToLowerInvariant();
    }

    /// <summary>Free text a person typed (a name, a reason, a statement): trimmed, 1 to <paramref name="maxLength"/> characters, no control characters.</summary>
    public string Text(string field, string text, int maxLength = MaxNameLength)
    {
        text = text.Trim();
        Require(text.Length > 0 && text.Length <= maxLength && !text.Any(char.IsControl), field, $"must be 1 to {maxLength} characters without control characters");
        return text;
    }

    /// <summary>A date as <c>yyyy-MM-dd</c>, not in the future and not before 1900.</summary>
    public string BirthDate(string field, string text)
    {
        Require(ParseDate(text) is { Year: >= 1900 } date && date <= DateOnly.FromDateTime(Now.UtcDateTime), field, "must be a date (yyyy-MM-dd) between 1900 and today");
        return text;
    }

    /// <summary>A one-time code: eight digits.</summary>
    public string Code(string field, string text)
    {
        Require(OneTimeCode.IsWellFormed(text), field, $"must be the {OneTimeCode.Digits}-digit code we sent");
        return text;
    }

    /// <summary>A configured region's name.</summary>
    public string Region(string field, string text)
    {
        Require(regions.IsConfigured(text), field, "must be one of the regions this service stores data in");
        return text;
    }

    /// <summary>The canonical (lower-case, hyphenated) form of a UUID.</summary>
    public string Uuid(string field, string text)
    {
        var uuid = Identifiers.Uuid(text);
        Require(uuid is not null, field, "must be a UUID");
        return uuid ?? text;
    }

    /// <summary>A <c>yyyy-MM-dd</c> date, or <c>null</c>.</summary>
    public static DateOnly? ParseDate(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}

/// <summary>The identifiers clusters send: UUIDs and version labels.</summary>
internal static class Identifiers
{
    public const int MaxVersionLength = 64;

    /// <summary>The canonical (lower-case, hyphenated) form of a UUID, or <c>null</c>.</summary>
    public static string? Uuid(string? text) =>
        text is { Length: 36 } && Guid.TryParseExact(text, "D", out var id) ? id.ToString("D") : null;

    /// <summary>Whether a version label is short and printable ASCII.</summary>
    public static bool IsVersion(string text) =>
        text.Length is > 0 and <= MaxVersionLength && text.All(c => c is > ' ' and < (char)127);
}
