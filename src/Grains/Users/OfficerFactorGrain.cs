using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>An officer's second factor, keyed as the officer's account (sealed under its data key); <see cref="OfficerFactor"/> decides.</summary>
[RegionPlacement]
public sealed class OfficerFactorGrain(
    [PersistentState("officer-factor", StorageNames.Subjects)] IPersistentState<OfficerFactorState> state,
    TimeProvider time) : Grain, IOfficerFactorGrain
{
    private OfficerFactor Factor => field ??= new(state, time, new GrainHost(GrainContext));

    public Task<FactorEnrolment?> EnrolAsync() => Factor.EnrolAsync();

    public Task<FactorCheck> VerifyAsync(string code) => Factor.VerifyAsync(code);

    public Task<bool> IsEnrolledAsync() => Task.FromResult(Factor.IsEnrolled);

    public Task ForgetAsync() => Factor.ForgetAsync();
}
