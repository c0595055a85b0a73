using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Synaxis.Keys.Contracts;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Keys.Tests;

/// <summary>Last use comes from the sorted set the gateways fill, drained in batches, never per request.</summary>
[Collection(KeysServiceCollection.Name)]
public sealed class LastUsedTests(KeysServiceFixture fixture)
{
    private readonly KeysApiClient _api = new(fixture.Service.CreateRealClient());

    [Fact]
    public async Task Last_use_times_are_drained_from_the_sorted_set_into_the_keys()
    {
        var owner = TestCaller.NewOrganization();
        var first = await _api.CreateAsync(owner, "first");
        var second = await _api.CreateAsync(owner, "second");
        var unused = await _api.CreateAsync(owner, "unused");
        var usedAt = DateTimeOffset.UtcNow.AddMinutes(-3);
        var usedAtSeconds = usedAt.ToUnixTimeSeconds();
        var redis = fixture.Redis.GetDatabase();
        await redis.SortedSetAddAsync(ApiKeyRedisKeys.LastUsed,
        [
            new(KeyIdOf(first), usedAtSeconds),
            new(KeyIdOf(second), usedAtSeconds + 60),
            new("not-a-key-id", usedAtSeconds),
            new(ApiKeyFormat.Generate().Id, usedAtSeconds),
        ]);

        var drained = await Eventually.ResultAsync(
            () => fixture.WithDbAsync(db => db.ApiKeys.Where(k => k.OrganizationId == owner.OrganizationId)
                .ToDictionaryAsync(k => k.Id, k => k.LastUsedAt)),
            times => times[first.Id] is not null && times[second.Id] is not null,
            "last use times in the database");

        Assert.Equal(usedAtSeconds, drained[first.Id]!.Value.ToUnixTimeSeconds());
        Assert.Equal(usedAtSeconds + 60, drained[second.Id]!.Value.ToUnixTimeSeconds());
        Assert.Null(drained[unused.Id]);
        await Eventually.TrueAsync(async () => await redis.SortedSetLengthAsync(ApiKeyRedisKeys.LastUsed) == 0, "the sorted set to be drained");
        var shown = await _api.Http.SendAsync(Get(owner, $"/api/keys/{first.Id}"));
        Assert.Equal(usedAtSeconds, (await shown.Content.ReadFromJsonAsync<KeyResponse>())!.LastUsedAt!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task An_older_last_use_never_moves_the_time_back()
    {
        var owner = TestCaller.NewOrganization();
        var key = await _api.CreateAsync(owner);
        var recent = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        var redis = fixture.Redis.GetDatabase();
        await redis.SortedSetAddAsync(ApiKeyRedisKeys.LastUsed, KeyIdOf(key), recent);
        await Eventually.TrueAsync(() => fixture.WithDbAsync(db => db.ApiKeys.AnyAsync(k => k.Id == key.Id && k.LastUsedAt != null)), "the first drain");

        await redis.SortedSetAddAsync(ApiKeyRedisKeys.LastUsed, KeyIdOf(key), recent - 3600);
        await Eventually.TrueAsync(async () => !(await redis.SortedSetScoreAsync(ApiKeyRedisKeys.LastUsed, KeyIdOf(key))).HasValue, "the second drain");

        var lastUsed = await fixture.WithDbAsync(db => db.ApiKeys.Where(k => k.Id == key.Id).Select(k => k.LastUsedAt).SingleAsync());
        Assert.Equal(recent, lastUsed!.Value.ToUnixTimeSeconds());
    }

    private static string KeyIdOf(CreatedKeyResponse key)
    {
        ApiKeyFormat.TryParse(key.Key, out var id);
        return id.ToString();
    }

    private static HttpRequestMessage Get(TestCaller caller, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(ServiceKit.Security.InternalIdentity.HeaderName, KeysApiClient.Sign(caller));
        return request;
    }
}
