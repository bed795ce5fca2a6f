using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MimeKit;
using PrimeDirective.Grains.Retention;

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
        services.TryAddSingleton<PolicyClock>();
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.SectionName))
            .Validate(options => MailboxAddress.TryParse(options.From, out _), "Outbox:From must be a mail address.")
            .Validate(options => options.Smtp.Port is > 0 and <= 65535, "Outbox:Smtp:Port must be a TCP port.")
            .Validate(options => options.RetryDelay > TimeSpan.Zero && options.MaxRetryDelay >= options.RetryDelay, "Outbox:RetryDelay must be positive and at most Outbox:MaxRetryDelay.")
            .Validate(options => options.RecheckPeriod > TimeSpan.Zero && options.NoticeLifetime > TimeSpan.Zero, "Outbox:RecheckPeriod and Outbox:NoticeLifetime must be positive.")
            .Validate(options => options.FileLifetime > TimeSpan.Zero, "Outbox:FileLifetime must be positive.")
            .Validate(options => options.MaxConcurrentSends > 0, "Outbox:MaxConcurrentSends must be positive.")
            .ValidateOnStart();

        // Chosen from the bound options, so code that configures OutboxOptions is honoured too.
        services.AddSingleton<IOutbox>(provider =>
            string.IsNullOrWhiteSpace(provider.GetRequiredService<IOptions<OutboxOptions>>().Value.Smtp.Host)
                ? ActivatorUtilities.CreateInstance<FileOutbox>(provider)
                : ActivatorUtilities.CreateInstance<SmtpOutbox>(provider));
        return services;
    }

    /// <summary>
    /// Registers the silo's <see cref="OutboxSender"/> (and <see cref="MessageSeal"/>), which drains the messages grains
    /// keep, the file outbox's expiry and the sweep of the outbox marks; all run while the silo is active. Silos only: a client has no grains whose
    /// messages it could send.
    /// </summary>
    public static IServiceCollection AddOutboxSender(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<MessageSeal>();
        services.TryAddSingleton<OutboxQueueMetrics>();
        services.TryAddSingleton<OutboxSender>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, OutboxSender>(
            provider => provider.GetRequiredService<OutboxSender>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, FileOutboxExpiry>());

        // Watches the outbox marks (IOutboxMarks, registered with the storage) of the regions the silo serves.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, OutboxSweep>());
        return services;
    }
}
