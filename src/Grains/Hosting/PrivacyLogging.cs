using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Hosting;

/// <summary>Log redaction: a value classified personal never reaches a log sink.</summary>
public static class PrivacyLogging
{
    /// <summary>Erases every classified value in log messages (and anything unclassified a redactor is asked about).</summary>
    public static IServiceCollection AddPrivacyRedaction(this IServiceCollection services)
    {
        services.AddLogging(logging => logging.EnableRedaction());
        services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<ErasingRedactor>(
                new DataClassificationSet(PrivacyTaxonomy.PersonalData),
                new DataClassificationSet(PrivacyTaxonomy.UserContent));
            redaction.SetFallbackRedactor<ErasingRedactor>();
        });
        return services;
    }
}
