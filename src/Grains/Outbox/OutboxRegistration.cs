using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace PrimeDirective.Grains.Outbox;

/// <summary>Registers the outbox.</summary>
public static class OutboxRegistration
{
    /// <summary>
    /// Binds <see cref="OutboxOptions"/> from <c>Outbox</c> and registers a singleton <see cref="IOutbox"/>: SMTP when
    /// <c>Outbox:Smtp:Host</c> is set, otherwise <c>.eml</c> files in <c>Outbox:Directory</c>.
    /// </summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.SectionName))
            .Validate(options => MailboxAddress.TryParse(options.From, out _), "Outbox:From must be a mail address.")
            .Validate(options => options.Smtp.Port is > 0 and <= 65535, "Outbox:Smtp:Port must be a TCP port.")
            .ValidateOnStart();

        // Chosen from the bound options, so code that configures OutboxOptions is honoured too.
        services.AddSingleton<IOutbox>(provider =>
            string.IsNullOrWhiteSpace(provider.GetRequiredService<IOptions<OutboxOptions>>().Value.Smtp.Host)
                ? ActivatorUtilities.CreateInstance<FileOutbox>(provider)
                : ActivatorUtilities.CreateInstance<SmtpOutbox>(provider));
        return services;
    }
}
