namespace PrimeDirective.Gateway.Http;

/// <summary>Transitional: failures now reach <see cref="GatewayExceptionHandler"/>; the remaining call sites go with the typed handlers.</summary>
internal static class ClusterCalls
{
    public static Task<IResult> RunAsync(HttpContext _, Func<Task<IResult>> call) => call();
}
