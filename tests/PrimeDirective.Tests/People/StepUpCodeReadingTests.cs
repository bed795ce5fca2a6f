using MimeKit;

namespace PrimeDirective.Tests.People;

/// <summary>How the tests read a step-up code from the outbox: by the code that is new, never by the newest file.</summary>
public sealed class StepUpCodeReadingTests
{
    [Fact]
    public void An_older_code_delivered_again_after_the_new_one_is_not_taken_for_it()
    {
        // The outbox's order: the new code's file, then the old code's message written again (at-least-once delivery).
        List<MimeMessage> outbox = [StepUp("11111111"), StepUp("22222222"), StepUp("11111111")];

        Assert.Equal(["22222222"], Infrastructure.People.NewCodes(outbox, seen: ["11111111"]));
    }

    [Fact]
    public void A_message_delivered_twice_is_one_code_and_nothing_seen_before_counts_as_new()
    {
        List<MimeMessage> outbox = [StepUp("33333333"), StepUp("44444444"), StepUp("44444444")];

        Assert.Equal(["44444444"], Infrastructure.People.NewCodes(outbox, seen: ["33333333"]));
        Assert.Empty(Infrastructure.People.NewCodes(outbox, seen: ["33333333", "44444444"]));
    }

    private static MimeMessage StepUp(string code) => new()
    {
        Subject = Infrastructure.People.StepUpSubject,
        Body = new TextPart("plain") { Text = $"Hello,\n\nYour code: {code}\nIt works once.\n" },
    };
}
