using System.Collections.Immutable;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.Sharing;

/// <summary>
/// Sharing, for the routes and the officer's pages alike: the processors registry's writes, the one decision point for
/// every disclosure (the subject decides; this hands it the order), and the check of a subject's disclosure ledger.
/// </summary>
internal sealed class SharingDesk(
    OfficerSubjects subjects, UserGrains users, IGrainFactory grains, IConfiguration configuration, IHostEnvironment environment, CertificateTrust trust, TimeProvider clock)
{
    /// <summary>The problem type of a refused disclosure names the basis that did not hold.</summary>
    public static string RefusalType(DisclosureBasis basis) => "basis-not-held-" + WireNames.Of(basis);

    /// <summary>The refusal's text: the basis that does not hold and its failed condition.</summary>
    public static string RefusalDetail(DisclosureBasis refused, string? reason) =>
        $"The basis '{WireNames.Of(refused)}' does not hold now: {reason}. Nothing was sent or recorded as disclosed.";

    /// <summary>
    /// Registers or updates processor <paramref name="processorId"/>; a new one needs a secret (never answered back) or an
    /// OpenDSR certificate that validates for its OpenDSR domain, or both.
    /// </summary>
    public async Task<Outcome<ProcessorView>> PutProcessorAsync(string processorId, ProcessorBody body, string officerId)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!SharingEndpoints.ProcessorId().IsMatch(processorId))
        {
            return new Outcome<ProcessorView>.Invalid("processorId", "must be 1 to 64 lower-case letters, digits or hyphens");
        }

        // Personal data travels to processors only over TLS, except while developing (or where configured for tests).
        if (body.UsesHttp && !environment.IsDevelopment() && !configuration.GetValue<bool>("Sharing:AllowInsecureEndpoints"))
        {
            return new Outcome<ProcessorView>.Invalid("endpoint", "must be an https URL outside development");
        }

        // OpenDSR §4.1: a CA-issued certificate for the processor's domain, never self-signed; checked again at every use.
        if (body.Certificate is not null && trust.Check(body.Certificate, body.OpenDsrDomain!, clock.GetUtcNow()) is var verdict && verdict != CertificateVerdict.Valid)
        {
            return new Outcome<ProcessorView>.Invalid("certificate", $"does not validate: {OpenDsr.OpenDsrEndpoints.VerdictName(verdict)}");
        }

        var view = new ProcessorView(
            processorId, body.Name, body.Purposes, body.Categories, body.Regions, body.Location,
            new ProcessorContract(body.Contract.Reference, body.Contract.SignedAt, body.Contract.ExpiresAt), body.Endpoint, body.ErasureEndpoint, default,
            body.OpenDsrDomain, body.Certificate);
        return await SharingEndpoints.Registry(grains, users).PutAsync(view, body.Secret, officerId) is { } stored
            ? Outcome.Done(stored)
            : new Outcome<ProcessorView>.Invalid("secret", "is required for a new processor");
    }

    /// <summary>
    /// Hands a checked order to its subject, the one decision point: the ledger entry (and for a capability delivery
    /// the package's URL, shown once), a refusal naming the basis that does not hold, or an unknown subject.
    /// </summary>
    public async Task<Outcome<DisclosureMade>> DiscloseAsync(DisclosureBody body, string officerId)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (subjects.Of(body.Subject) is not { } subject)
        {
            return new Outcome<DisclosureMade>.Unknown("subject");
        }

        // Read just before deciding: the contract must hold at this moment, not when the officer last looked.
        var processor = body.Basis == DisclosureBasis.Processor && SharingEndpoints.ProcessorId().IsMatch(body.Recipient)
            ? await SharingEndpoints.Registry(grains, users).GetAsync(body.Recipient)
            : null;
        var order = new DisclosureOrder(
            SubjectIds.New(subject.Region), body.Recipient, body.Basis, body.Categories, body.Purpose ?? DataPurpose.ServiceProvision, body.Rationale, body.Protects,
            officerId, processor,
            body.Change is { } change ? new OrganisationalChange(change.Kind, change.Successor, change.Reference) : null, null, null, null);
        return await subject.Grain.AsReference<IDisclosureSubject>().DiscloseAsync(order) switch
        {
            null => new Outcome<DisclosureMade>.Unknown("subject"),
            { RefusedBasis: { } refused } outcome => new Outcome<DisclosureMade>.BasisNotHeld(refused, outcome.Reason),
            var outcome => Outcome.Done(new DisclosureMade(
                outcome.Entry!, outcome.CapabilitySecret is { } secret ? PackageUrl(subject.Region, secret) : null, outcome.CapabilityExpiresAt)),
        };
    }

    /// <summary>Checks a subject's disclosure chain: every entry's hash and link, and the head.</summary>
    public static async Task<Outcome<ChainVerification>> VerifyAsync(NamedSubject? subject) =>
        subject is not null && await subject.Grain.AsReference<IDisclosureSubject>().VerifyDisclosuresAsync() is { } verification
            ? Outcome.Done(verification)
            : new Outcome<ChainVerification>.Unknown("subject");

    /// <summary>The subject's disclosures (entries under a running gag left out for a person), or <c>null</c> for a subject we do not hold.</summary>
    public static async Task<ImmutableArray<DisclosureEntry>?> DisclosuresAsync(NamedSubject? subject) =>
        subject is null ? null : await subject.Grain.AsReference<IDisclosureSubject>().GetDisclosuresAsync();

    /// <summary>Where a recipient fetches a package made available in <paramref name="region"/> (a capability URL).</summary>
    public static string PackageUrl(string region, string secret) => $"/v1/disclosure-packages/{SharingKeys.Token(region, secret)}";
}
