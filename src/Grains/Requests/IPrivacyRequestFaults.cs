namespace PrimeDirective.Grains.Requests;

/// <summary>
/// A hook before each step of an erasure. Production uses <see cref="NoFaults"/>; tests replace it to stop a
/// silo between two steps and prove the workflow resumes.
/// </summary>
public interface IPrivacyRequestFaults
{
    /// <summary>Called before <paramref name="stepName"/> (<c>close</c>, <c>hold</c>, <c>cluster</c>, <c>email-index</c>, <c>account</c>) of a request.</summary>
    Task BeforeStepAsync(string requestId, string stepName);

    /// <summary>Called after <paramref name="stepName"/> ran and before the request has recorded that it did.</summary>
    Task AfterStepAsync(string requestId, string stepName);
}

/// <summary>No faults: every step just runs.</summary>
public sealed class NoFaults : IPrivacyRequestFaults
{
    public Task BeforeStepAsync(string requestId, string stepName) => Task.CompletedTask;

    public Task AfterStepAsync(string requestId, string stepName) => Task.CompletedTask;
}
