using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Gateway.Http;

/// <summary>The HTTP face of the application layer's outcomes: each one that is not done, as its problem.</summary>
internal static class OutcomeResults
{
    /// <summary>The problem <paramref name="outcome"/> stands for (it must not be done).</summary>
    public static ProblemHttpResult Problem<T>(this Outcome<T> outcome) => outcome switch
    {
        Outcome<T>.Unknown unknown => Problems.NotFound(unknown.What),
        Outcome<T>.Conflict conflict => Problems.Create(StatusCodes.Status409Conflict, conflict.Type, conflict.Title, conflict.Detail),
        Outcome<T>.Invalid invalid => Problems.Invalid(new Dictionary<string, string[]> { [invalid.Field] = [invalid.Detail] }),
        Outcome<T>.StepUpRequired stepUp => TypedResults.Problem(
            detail: stepUp.Detail,
            statusCode: StatusCodes.Status403Forbidden,
            title: "A fresh code is required.",
            type: Problems.TypePrefix + "step-up-required",
            extensions: new Dictionary<string, object?> { ["action"] = stepUp.Action, ["header"] = Users.MeDesk.StepUpHeader }),
        Outcome<T>.BasisNotHeld refused => TypedResults.Problem(
            detail: Sharing.SharingDesk.RefusalDetail(refused.Basis, refused.Condition),
            statusCode: StatusCodes.Status409Conflict,
            title: "The disclosure's basis does not hold.",
            type: Problems.TypePrefix + Sharing.SharingDesk.RefusalType(refused.Basis),
            extensions: new Dictionary<string, object?> { ["basis"] = WireNames.Of(refused.Basis), ["condition"] = refused.Condition }),
        _ => throw new InvalidOperationException("A done outcome is not a problem."),
    };
}
