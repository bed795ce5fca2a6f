namespace PrimeDirective.Gateway.Http;

/// <summary>
/// Every error the gateway answers is RFC 9457 problem details with a stable <c>type</c>.
/// Problem texts never echo submitted values: they may be personal.
/// </summary>
internal static class Problems
{
    public const string TypePrefix = "urn:prime-directive:problem:";

    public static IResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, "invalid-request", "The request is malformed.", detail);

    /// <summary>Well-formed input with values we cannot accept (422).</summary>
    public static IResult Invalid(IDictionary<string, string[]> errors) => Results.ValidationProblem(
        errors,
        detail: "One or more values are not acceptable.",
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "The request has invalid values.",
        type: TypePrefix + "validation");

    /// <summary>Input whose shape is wrong: missing, duplicated or mistyped fields (400).</summary>
    public static IResult Malformed(IDictionary<string, string[]> errors) => TypedResults.Problem(
        detail: "One or more fields are missing, repeated or of the wrong type.",
        statusCode: StatusCodes.Status400BadRequest,
        title: "The request is malformed.",
        type: TypePrefix + "invalid-request",
        extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static IResult NotFound(string what) => Create(StatusCodes.Status404NotFound, "not-found", "Not found.", $"No {what} is known here.");

    public static IResult UnknownRegion() => Create(StatusCodes.Status404NotFound, "unknown-region", "Unknown region.", "The region in the path is not one this service stores data in.");

    public static IResult TooLarge(long limit) => Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "The request body is too large.", $"Bodies are limited to {limit} bytes.");

    public static IResult UnsupportedMediaType(string expected) => Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported content type.", $"Send {expected}.");

    public static IResult Unavailable(string detail) => Create(StatusCodes.Status503ServiceUnavailable, "unavailable", "Temporarily unavailable.", detail);

    public static IResult Create(int status, string type, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypePrefix + type);
}
