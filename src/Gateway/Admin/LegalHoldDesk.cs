using PrimeDirective.Gateway.Application;
using PrimeDirective.Grains.Interfaces.Retention;

namespace PrimeDirective.Gateway.Admin;

/// <summary>Legal holds, for the route and the officer's page alike: place one on a named subject, lift it, look it up.</summary>
internal sealed class LegalHoldDesk(TimeProvider time)
{
    /// <summary>Places <paramref name="body"/>'s hold (checked) on <paramref name="subject"/>, recorded as placed by <paramref name="officerId"/> now.</summary>
    public async Task<Outcome<LegalHold>> PlaceAsync(NamedSubject? subject, LegalHoldBody body, string officerId)
    {
        ArgumentNullException.ThrowIfNull(body);
        var hold = new LegalHold(body.Reason, body.Reference, time.GetUtcNow(), body.End, officerId);
        return subject is not null && await Grain(subject).PlaceLegalHoldAsync(hold) ? Outcome.Done(hold) : new Outcome<LegalHold>.Unknown("subject");
    }

    /// <summary>Lifts the subject's hold: expiry and waiting erasures resume at once.</summary>
    public static async Task<Outcome<bool>> LiftAsync(NamedSubject? subject, string officerId) =>
        subject is not null && await Grain(subject).LiftLegalHoldAsync(officerId) ? Outcome.Done(true) : new Outcome<bool>.Unknown("legal hold");

    /// <summary>The subject's hold (<c>null</c> when none runs), or unknown for a subject an id cannot name.</summary>
    public static async Task<Outcome<LegalHold?>> FindAsync(NamedSubject? subject) =>
        subject is null ? new Outcome<LegalHold?>.Unknown("legal hold") : Outcome.Done(await Grain(subject).GetLegalHoldAsync());

    private static ILegalHoldSubject Grain(NamedSubject subject) => subject.Grain.AsReference<ILegalHoldSubject>();
}
