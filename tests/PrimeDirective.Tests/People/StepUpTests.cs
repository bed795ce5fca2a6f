using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.People;

/// <summary>
/// Step-up before the irreversible (issue 25, point 3): <c>DELETE /v1/me</c> needs a fresh code sent to the account's
/// address for that action, in <c>X-Step-Up-Code</c>; a bearer token alone erases nothing. The code lives 10 minutes
/// (fake policy clock), works once, and only for its own account and action.
/// </summary>
public sealed class StepUpTests(StepUpTests.ClockService service) : IClassFixture<StepUpTests.ClockService>
{
    [Fact]
    public async Task A_token_alone_or_with_a_wrong_code_erases_nothing_and_the_problem_names_what_is_missing()
    {
        var person = await service.SignUpAsync();
        var before = await RawMeAsync(person);
        var requests = await PrivacyRequestRowsAsync();

        using (var bare = await service.Http.SendAsync(person.Request(HttpMethod.Delete, "/v1/me")))
        {
            await AssertStepUpRequiredAsync(bare);
        }

        foreach (var wrong in new[] { "00000000", "not-a-code", string.Empty })
        {
            using var guessed = await DeleteWithCodeAsync(person, wrong);
            await AssertStepUpRequiredAsync(guessed);
        }

        Assert.Equal(before, await RawMeAsync(person));
        Assert.Equal(requests, await PrivacyRequestRowsAsync());
        Assert.DoesNotContain(await service.Outbox.MessagesToAsync(person.Email), message => message.Subject == Infrastructure.People.StepUpSubject);
    }

    [Fact]
    public async Task A_fresh_code_erases_the_account_once_and_says_so_in_the_mail()
    {
        var person = await service.SignUpAsync();
        var code = await service.StepUpCodeAsync(person);
        var message = (await service.Outbox.MessagesToAsync(person.Email))[^1];
        Assert.Contains("works once, for 10 minutes", message.TextBody, StringComparison.Ordinal);

        using var erase = await DeleteWithCodeAsync(person, code);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        await Erasure.CompletedReceiptAsync(service.Http, (string)(await Json.ReadAsync(erase))["receiptUrl"]!, TimeSpan.FromSeconds(60));
        using var me = await service.Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me"));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task A_code_works_once_a_used_one_erases_nothing()
    {
        var person = await service.SignUpAsync();
        var code = await service.StepUpCodeAsync(person);
        var user = UserGrain(person);

        // Its one use: any check spends it.
        Assert.True(await user.ConfirmStepUpAsync(StepUpActions.EraseAccount, code));
        Assert.False(await user.ConfirmStepUpAsync(StepUpActions.EraseAccount, code));

        var before = await RawMeAsync(person);
        var requests = await PrivacyRequestRowsAsync();
        using (var reused = await DeleteWithCodeAsync(person, code))
        {
            await AssertStepUpRequiredAsync(reused);
        }

        Assert.Equal(before, await RawMeAsync(person));
        Assert.Equal(requests, await PrivacyRequestRowsAsync());
    }

    [Fact]
    public async Task A_code_lives_ten_minutes()
    {
        var (late, prompt) = (await service.SignUpAsync(), await service.SignUpAsync());
        var lateCode = await service.StepUpCodeAsync(late);
        service.Clock.Advance(TimeSpan.FromMinutes(9));
        var promptCode = await service.StepUpCodeAsync(prompt);
        service.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        // Ten minutes and a second old: refused, nothing changed.
        var before = await RawMeAsync(late);
        var requests = await PrivacyRequestRowsAsync();
        using (var expired = await DeleteWithCodeAsync(late, lateCode))
        {
            await AssertStepUpRequiredAsync(expired);
        }

        Assert.Equal(before, await RawMeAsync(late));
        Assert.Equal(requests, await PrivacyRequestRowsAsync());

        // A minute and a second old: it works.
        using var fresh = await DeleteWithCodeAsync(prompt, promptCode);
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
    }

    [Fact]
    public async Task A_code_sent_to_another_account_or_for_signing_in_erases_nothing()
    {
        var (person, other) = (await service.SignUpAsync(), await service.SignUpAsync());
        var othersCode = await service.StepUpCodeAsync(other);
        var (personBefore, otherBefore) = (await RawMeAsync(person), await RawMeAsync(other));
        var requests = await PrivacyRequestRowsAsync();

        using (var borrowed = await DeleteWithCodeAsync(person, othersCode))
        {
            await AssertStepUpRequiredAsync(borrowed);
        }

        // A sign-in code goes to the same address, but it is not a step-up code.
        var seen = (await service.Outbox.MessagesToAsync(person.Email)).Count;
        using (var signIn = await service.Http.PostAsJsonAsync("/v1/sessions", new { email = person.Email }))
        {
            Assert.Equal(HttpStatusCode.Accepted, signIn.StatusCode);
        }

        using (var signInCode = await DeleteWithCodeAsync(person, await service.Outbox.NextCodeAsync(person.Email, seen)))
        {
            await AssertStepUpRequiredAsync(signInCode);
        }

        Assert.Equal(personBefore, await RawMeAsync(person));
        Assert.Equal(otherBefore, await RawMeAsync(other));
        Assert.Equal(requests, await PrivacyRequestRowsAsync());

        // The other person's code was not spent by the attempt: it still erases them (and a step-up code signs nobody in).
        using (var verify = await service.Http.PostAsJsonAsync("/v1/sessions/verify", new { email = other.Email, code = othersCode }))
        {
            Assert.NotEqual(HttpStatusCode.OK, verify.StatusCode);
        }

        using var own = await DeleteWithCodeAsync(other, othersCode);
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        Assert.Equal(personBefore, await RawMeAsync(person));
    }

    [Fact]
    public async Task An_unknown_action_is_refused_and_nothing_is_sent()
    {
        var person = await service.SignUpAsync();
        var sent = (await service.Outbox.MessagesToAsync(person.Email)).Count;

        using var response = await service.Http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/step-up", new { action = "erase-everyone" }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await Json.ReadAsync(response))["errors"]!["action"]);
        Assert.Equal(sent, (await service.Outbox.MessagesToAsync(person.Email)).Count);
    }

    private async Task<HttpResponseMessage> DeleteWithCodeAsync(Person person, string code)
    {
        using var request = person.Request(HttpMethod.Delete, "/v1/me");
        request.Headers.Add("X-Step-Up-Code", code);
        return await service.Http.SendAsync(request);
    }

    private static async Task AssertStepUpRequiredAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("urn:prime-directive:problem:step-up-required", (string?)problem["type"]);
        Assert.Equal("erase-account", (string?)problem["action"]);
        Assert.Equal("X-Step-Up-Code", (string?)problem["header"]);
    }

    private async Task<string> RawMeAsync(Person person)
    {
        using var response = await service.Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Privacy requests stored (state <c>request</c>; this class's tests run one at a time on their own database).</summary>
    private async Task<long> PrivacyRequestRowsAsync() =>
        await service.Database.ScalarAsync<long>("select count(*) from grain_state where grain_type_string = 'request'");

    private IUserGrain UserGrain(Person person) =>
        service.Silos[0].Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(Erasure.KeysOf(service).Users.ForUser(person.UserId));

    /// <summary>The service with a fake policy clock (what code expiry reads).</summary>
    public sealed class ClockService : ServiceHost
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Purpose => "step-up";

        protected override void ConfigureSilo(ISiloBuilder silo) =>
            silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
    }
}
