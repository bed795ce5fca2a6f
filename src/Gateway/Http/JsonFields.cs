using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Gateway.Http;

/// <summary>
/// Reads the fields of a JSON object body. Shape errors (unknown, missing or mistyped fields) answer 400,
/// value errors 422; problem texts never echo a value.
/// </summary>
internal sealed class JsonFields
{
    public const int MaxEmailLength = 254;

    public const int MaxNameLength = 200;

    private readonly JsonElement _root;

    private JsonFields(JsonElement root, IReadOnlyCollection<string> known)
    {
        _root = root;
        // Unknown names are counted, never echoed: a client may put anything, personal data included, in a name.
        var unknown = root.EnumerateObject().Count(property => !known.Contains(property.Name));
        if (unknown > 0)
        {
            Shape["$"] = [$"has {unknown} field(s) this request does not know; its fields are: {string.Join(", ", known)}"];
        }
    }

    public Dictionary<string, string[]> Shape { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string[]> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the body as an object with only <paramref name="known"/> fields and hands it to <paramref name="parse"/>.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, string[] known, Func<JsonFields, T> parse)
        where T : class
    {
        var (document, problem) = await JsonBody.ReadAsync(request, request.HttpContext.RequestAborted);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (document)
        {
            var root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, Problems.Malformed(new Dictionary<string, string[]> { ["$"] = ["must be a JSON object"] }));
            }

            var fields = new JsonFields(root, known);
            var value = parse(fields);
            return fields.Shape.Count > 0 ? (null, Problems.Malformed(fields.Shape))
                : fields.Values.Count > 0 ? (null, Problems.Invalid(fields.Values))
                : (value, null);
        }
    }

    public bool Has(string name) => _root.TryGetProperty(name, out var element) && element.ValueKind != JsonValueKind.Null;

    public string? String(string name, bool required)
    {
        if (!_root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Shape[name] = ["is required, as a string"];
            }

            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            Shape[name] = ["must be a string"];
            return null;
        }

        return element.GetString();
    }

    public bool? Bool(string name, bool required)
    {
        if (!_root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Shape[name] = ["is required, as true or false"];
            }

            return null;
        }

        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return element.GetBoolean();
        }

        Shape[name] = ["must be true or false"];
        return null;
    }

    /// <summary>A normalised (trimmed, lower-case) single address without display name.</summary>
    public string? Email(string name, bool required)
    {
        var text = String(name, required)?.Trim();
        if (text is null)
        {
            return null;
        }

        if (text.Length is 0 or > MaxEmailLength || text.Any(char.IsControl) || text.Count(c => c == '@') != 1 ||
            !MailAddress.TryCreate(text, out var address) || address.Address != text || address.DisplayName.Length > 0 ||
            !address.Host.Contains('.', StringComparison.Ordinal))
        {
            Values[name] = [$"must be one email address of at most {MaxEmailLength} characters"];
            return null;
        }

        return text.ToLowerInvariant();
    }

    /// <summary>A person's name: 1 to 200 characters, no control characters.</summary>
    public string? PersonName(string name, bool required, int maxLength = MaxNameLength)
    {
        var text = String(name, required)?.Trim();
        if (text is null)
        {
            return null;
        }

        if (text.Length == 0 || text.Length > maxLength || text.Any(char.IsControl))
        {
            Values[name] = [$"must be 1 to {maxLength} characters without control characters"];
            return null;
        }

        return text;
    }

    /// <summary>A date as <c>yyyy-MM-dd</c>, not in the future and not before 1900.</summary>
    public DateOnly? BirthDate(string name, bool required, DateTimeOffset now)
    {
        var text = String(name, required);
        if (text is null)
        {
            return null;
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ||
            date.Year < 1900 || date > DateOnly.FromDateTime(now.UtcDateTime))
        {
            Values[name] = ["must be a date (yyyy-MM-dd) between 1900 and today"];
            return null;
        }

        return date;
    }

    /// <summary>A one-time code: eight digits.</summary>
    public string? Code(string name, bool required)
    {
        var text = String(name, required);
        if (text is not null && !OneTimeCode.IsWellFormed(text))
        {
            Values[name] = [$"must be the {OneTimeCode.Digits}-digit code we sent"];
            return null;
        }

        return text;
    }

    /// <summary>A configured region's name.</summary>
    public string? Region(string name, bool required, Func<string, bool> isConfigured)
    {
        var text = String(name, required);
        if (text is not null && !isConfigured(text))
        {
            Values[name] = ["must be one of the regions this service stores data in"];
            return null;
        }

        return text;
    }
}
