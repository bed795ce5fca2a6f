using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Outbox;

namespace PrimeDirective.Grains.Notices;

/// <summary>The email of a notice.</summary>
internal static class NoticeMessages
{
    public static OutboxMessage For(NoticeCampaign campaign, string email, string name) => new(
        email, name, campaign.Title,
        $"""
        Hello {name},

        {campaign.Text}

        This notice is also in your account, under your notifications.
        """);

    /// <summary>The notice as kept in the account or on the cluster (what the email said, without the greeting).</summary>
    public static string Kind(NoticeCampaign campaign) => campaign.Kind == NoticeKind.Breach ? "breach" : "policy-change";
}
