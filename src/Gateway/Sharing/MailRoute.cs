using System.Collections.Immutable;
using System.Globalization;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.Sharing;

/// <summary>What a person's export says about how our messages reach them: through which mail relay, under which contract, carrying what.</summary>
/// <param name="Statement">The same in one sentence.</param>
/// <param name="Relay">The relay's processor id, when a relay is used and named.</param>
/// <param name="RelayName">Its name, when registered.</param>
/// <param name="RelayLocation">Where it holds the data, when registered.</param>
/// <param name="Contract">Its contract's reference, when registered.</param>
/// <param name="ContractEndsAt">When that contract ends.</param>
/// <param name="Carries">What of the person passes through it; empty when no relay is used.</param>
internal sealed record MailRoute(
    string Statement, string? Relay, string? RelayName, string? RelayLocation, string? Contract, DateTimeOffset? ContractEndsAt, ImmutableArray<string> Carries)
{
    private static readonly ImmutableArray<string> s_carried = ["email address", "name", "one-time codes", "notices"];

    /// <summary>
    /// The route as the processors registry and the silos' outbox configuration describe it now. The registry lives in the
    /// home region: while that region cannot answer, the export still answers, saying so here.
    /// </summary>
    public static async Task<MailRoute> ForAsync(IGrainFactory grains, UserGrains users)
    {
        MailRelayView relay;
        try
        {
            relay = await SharingEndpoints.Registry(grains, users).MailRelayAsync();
        }
        catch (Exception exception) when (GatewayExceptionHandler.IsTransient(exception))
        {
            return new("Our record of the mail relay cannot be read right now; ask again later.", null, null, null, null, null, []);
        }

        if (relay.Status == "files")
        {
            return new("Messages to you are written as files on our own servers; no mail relay receives them.", null, null, null, null, null, []);
        }

        var named = relay.Processor is { } processor
            ? $"{processor.Name} ({processor.ProcessorId}), a processor holding data in {processor.Location} under contract {processor.Contract.Reference} until {processor.Contract.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
            : $"{relay.ProcessorId ?? "an unnamed relay"}, not yet recorded in our processors registry";
        return new(
            $"Messages to you (your email address, your name, one-time codes and notices) pass through our mail relay: {named}.",
            relay.ProcessorId, relay.Processor?.Name, relay.Processor?.Location, relay.Processor?.Contract.Reference, relay.Processor?.Contract.ExpiresAt, s_carried);
    }
}
