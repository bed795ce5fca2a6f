using Microsoft.AspNetCore.Http.HttpResults;

namespace PrimeDirective.Gateway.Http;

/// <summary>
/// Every error the gateway answers is RFC 9457 problem details with a stable <c>type</c> from <see cref="Types"/>.
/// Problem texts never echo submitted values: they may be personal.
/// </summary>
internal static class Problems
{
    public const string TypePrefix = "urn:prime-directive:problem:";

    /// <summary>Every problem type the gateway answers with, for the OpenAPI document.</summary>
    public static readonly string[] Types =
    [
        "invalid-request", "validation", "not-found", "unknown-region", "payload-too-large", "unsupported-media-type",
        "unauthorized", "forbidden", "under-13", "invalid-code", "rate-limited", "method-not-allowed", "unavailable", "internal-error",
        "conflict", "step-up-required", "second-factor-required",
    ];

    public static ProblemHttpResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, "invalid-request", "The request is malformed.", detail);

    /// <summary>Well-formed input with values we cannot accept (422).</summary>
    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors) => TypedResults.Problem(new HttpValidationProblemDetails(errors)
    {
        Detail = "One or more values are not acceptable.",
        Status = StatusCodes.Status422UnprocessableEntity,
        Title = "The request has invalid values.",
        Type = TypePrefix + "validation",
    });

    /// <summary>Input whose shape is wrong: missing, duplicated or mistyped fields (400).</summary>
    public static ProblemHttpResult Malformed(IDictionary<string, string[]> errors) => TypedResults.Problem(
        detail: "One or more fields are missing, repeated or of the wrong type.",
        statusCode: StatusCodes.Status400BadRequest,
        title: "The request is malformed.",
        type: TypePrefix + "invalid-request",
        extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult NotFound(string what) => Create(StatusCodes.Status404NotFound, "not-found", "Not found.", $"No {what} is known here.");

    public static ProblemHttpResult UnknownRegion() => Create(StatusCodes.Status404NotFound, "unknown-region", "Unknown region.", "The region in the path is not one this service stores data in.");

    public static ProblemHttpResult TooLarge(long limit) => Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "The request body is too large.", $"Bodies are limited to {limit} bytes.");

    public static ProblemHttpResult UnsupportedMediaType(string expected) => Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported content type.", $"Send {expected}.");

    public static ProblemHttpResult Unavailable(string detail) => Create(StatusCodes.Status503ServiceUnavailable, "unavailable", "Temporarily unavailable.", detail);

    public static ProblemHttpResult Create(int status, string type, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypePrefix + type);

    /// <summary>Problems the framework writes itself (unknown route, wrong method, a body routing refused) get the project's type for their status.</summary>
    public static void UseProjectType(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Type?.StartsWith(TypePrefix, StringComparison.Ordinal) != true)
        {
            context.ProblemDetails.Type = TypePrefix + context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => "not-found",
                StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
                StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
                >= 500 => "internal-error",
                _ => "invalid-request",
            };
        }
    }
}
