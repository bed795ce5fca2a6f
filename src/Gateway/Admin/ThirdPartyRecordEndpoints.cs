using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;

namespace PrimeDirective.Gateway.Admin;

/// <summary>
/// The "told by someone else" collection path: an officer records what a named source told us about a person; the
/// person sees it in access and may correct or erase it (<c>/v1/me/third-party-records/{recordId}</c>).
/// </summary>
internal static class ThirdPartyRecordEndpoints
{
    public static IEndpointRouteBuilder MapThirdPartyRecordEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/admin/third-party-records", AddAsync).WithTags("Third-party records")
            .RequireAuthorization(GatewayAuth.OfficerPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Records what a named source told us about a person (userId, source, kind, value); kept while the account lives.");
        var mine = routes.MapGroup("/v1/me/third-party-records").WithTags("Users").RequireAuthorization(GatewayAuth.PersonPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapPatch("/{recordId}", CorrectAsync).WithSummary("Corrects the value of a record someone else told us about me.");
        mine.MapDelete("/{recordId}", RemoveAsync).WithSummary("Erases a record someone else told us about me.");
        return routes;
    }

    private static async Task<Results<Created<ThirdPartyRecordAdded>, ProblemHttpResult>> AddAsync(ThirdPartyRecordBody body, ThirdPartyRecordDesk desk) =>
        await desk.AddAsync(body) is var outcome && outcome is Outcome<string>.Done(var recordId)
            ? TypedResults.Created((string?)null, new ThirdPartyRecordAdded(recordId))
            : outcome.Problem();

    private static async Task<Results<NoContent, ProblemHttpResult>> CorrectAsync(HttpContext context, string recordId, ThirdPartyCorrectionBody body, ThirdPartyRecordDesk desk) =>
        await desk.CorrectAsync(context.User.UserId()!, recordId, body) is var outcome && outcome is Outcome<string>.Done ? TypedResults.NoContent() : outcome.Problem();

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(HttpContext context, string recordId, ThirdPartyRecordDesk desk) =>
        await desk.RemoveAsync(context.User.UserId()!, recordId) is var outcome && outcome is Outcome<string>.Done ? TypedResults.NoContent() : outcome.Problem();
}

/// <summary>What a named source told us: whose account, who told us, what kind of thing, and its value.</summary>
internal sealed partial record ThirdPartyRecordBody(string UserId, string Source, string Kind, string Value) : IRequestBody
{
    public const int MaxValueLength = 500;

    public IRequestBody Check(RequestCheck check)
    {
        var value = check.Text("value", Value, MaxValueLength);
        var source = check.Text("source", Source, 100);
        check.Require(KindPattern().IsMatch(Kind), "kind", "must be 1 to 64 characters of a-z, 0-9, '_', '.' or '-'");
        return this with { Source = source, Value = value };
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")]
    private static partial Regex KindPattern();
}

/// <summary>The person's correction of a record's value.</summary>
internal sealed record ThirdPartyCorrectionBody(string Value) : IRequestBody
{
    public IRequestBody Check(RequestCheck check) => this with { Value = check.Text("value", Value, ThirdPartyRecordBody.MaxValueLength) };
}

/// <summary>The new record's id.</summary>
internal sealed record ThirdPartyRecordAdded(string RecordId);

/// <summary>The third-party records' JSON, source-generated.</summary>
[JsonSerializable(typeof(ThirdPartyRecordBody))]
[JsonSerializable(typeof(ThirdPartyCorrectionBody))]
[JsonSerializable(typeof(ThirdPartyRecordAdded))]
internal sealed partial class ThirdPartyRecordJson : JsonSerializerContext;
