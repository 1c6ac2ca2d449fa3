#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "capture/record.h"
#include "util/hex.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* Past this a tool result is cut: the transcript stays the full record. */
#define RESULT_MAX (64u << 10)

int
record_type_is_kept(const char *type)
{
	return strcmp(type, "user") == 0 || strcmp(type, "assistant") == 0;
}

const char *
record_unread_member(const char *type)
{
	return strcmp(type, "user") == 0 ? "toolUseResult" : NULL;
}

/*
 * Every member record_from_json reads, at any depth: a pruned parse
 * (capture/prune.h) builds only these, and a tool call's input whole (it is
 * stored as JSON and searched for paths and commands). By length first:
 * this runs for every member of every line.
 */
enum prune_use
record_member_use(const char *key, size_t len)
{
	static const char *const by_len[][6] = {
		[2] = { "id" },
		[3] = { "cwd" },
		[4] = { "type", "text", "uuid", "name", "data" },
		[5] = { "model", "usage" },
		[6] = { "isMeta", "source" },
		[7] = { "message", "content", "version" },
		[8] = { "thinking", "is_error" },
		[9] = { "sessionId", "timestamp", "gitBranch" },
		[10] = { "media_type" },
		[11] = { "isSidechain", "tool_use_id" },
		[12] = { "input_tokens" },
		[13] = { "output_tokens" },
		[16] = { "isCompactSummary" },
		[23] = { "cache_read_input_tokens" },
		[27] = { "cache_creation_input_tokens" },
	};
	size_t i;

	if (len == 5 && memcmp(key, "input", 5) == 0)
		return PRUNE_WHOLE;
	/* A tool result's, stored escaped: the line's own escaped text, when it will do. */
	if (len == 7 && memcmp(key, "content", 7) == 0)
		return PRUNE_RAW;
	if (len >= sizeof by_len / sizeof by_len[0])
		return PRUNE_DROP;
	for (i = 0; i < 6 && by_len[len][i] != NULL; i++) {
		if (by_len[len][i][0] == key[0] && memcmp(by_len[len][i], key, len) == 0)
			return PRUNE_KEEP;
	}
	return PRUNE_DROP;
}

int
record_type_is_skipped(const char *type)
{
	return !record_type_is_kept(type);
}

static const char *
str_field(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Token counts are whole numbers up to 2^53 (exact in a double and in JSON). */
#define USAGE_MAX 9007199254740992.0

/*
 * A usage figure. Anything else (a string "7", -3, 1e300, 2.5) is skipped,
 * never stored, and counted in *bad: a wrong figure must not reach totals.
 */
static int64_t
usage_value(const cJSON *v, int *bad)
{
	double d;

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !((d = v->valuedouble) >= 0 && d <= USAGE_MAX) ||
	    d != (double)(int64_t)d) {
		(*bad)++;
		return 0;
	}
	return (int64_t)d;
}

static void
append_text(struct strbuf *sb, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	if (sb->len > 0)
		strbuf_adds(sb, "\n\n");
	strbuf_adds(sb, s);
}

static char *
detach_or_null(struct strbuf *sb)
{
	if (sb->len == 0) {
		strbuf_free(sb);
		return NULL;
	}
	return strbuf_detach(sb);
}

/*
 * A tool result's text so far: its first RESULT_MAX + 1 bytes (all the cut
 * needs) and its whole length, so a result of hundreds of MB is never copied.
 */
struct result_text {
	struct strbuf sb;
	size_t len;
};

static void
result_add(struct result_text *r, const char *s)
{
	size_t n = strlen(s), keep = RESULT_MAX + 1;

	r->len += n;
	if (r->sb.len < keep)
		strbuf_add(&r->sb, s, n < keep - r->sb.len ? n : keep - r->sb.len);
}

static void
result_add_block(struct result_text *r, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	if (r->len > 0)
		result_add(r, "\n\n");
	result_add(r, s);
}

/* A tool result's content is a string or a list of text (and image) blocks. */
static char *
result_text(const cJSON *content)
{
	struct result_text r = { STRBUF_INIT, 0 };
	const cJSON *b;

	if (cJSON_IsString(content))
		result_add(&r, content->valuestring);
	else if (cJSON_IsArray(content)) {
		cJSON_ArrayForEach(b, content) {
			const char *type = str_field(b, "type");
			if (type != NULL && strcmp(type, "text") == 0)
				result_add_block(&r, str_field(b, "text"));
			else if (type != NULL && strcmp(type, "image") == 0)
				result_add_block(&r, "[image]");
		}
	}
	if (r.len > RESULT_MAX) {
		size_t cut = RESULT_MAX;
		/* Never split a UTF-8 sequence. */
		while (cut > 0 && ((unsigned char)r.sb.buf[cut] & 0xc0) == 0x80)
			cut--;
		r.sb.len = cut;
		r.sb.buf[cut] = '\0';
		strbuf_addf(&r.sb, "\n[… %zu more bytes in the transcript]", r.len - cut);
	}
	return strbuf_detach(&r.sb);
}

/*
 * A tool result's text and its JSON string form (quotes and escapes
 * included). A string of at most RESULT_MAX bytes, most results, is
 * borrowed from the tree, its JSON form too when a pruned parse kept the
 * line's own escaped text (PRUNE_RAW, the sibling after it): no copies of
 * the largest strings of a transcript. Anything else is read and escaped
 * anew, owned.
 */
static void
read_result(struct record_tool_result *r, const cJSON *content)
{
	const cJSON *raw = content != NULL ? content->next : NULL;
	struct strbuf sb = STRBUF_INIT;

	if (cJSON_IsString(content) && strlen(content->valuestring) <= RESULT_MAX) {
		r->content = content->valuestring;
		r->content_borrowed = 1;
		if (cJSON_IsRaw(raw) && raw->string != NULL &&
		    strcmp(raw->string, content->string) == 0) {
			r->content_json = raw->valuestring;
			r->content_json_len = (size_t)raw->valueint;
			r->json_borrowed = 1;
			return;
		}
	} else
		r->content = result_text(content);
	json_add_string(&sb, r->content);
	r->content_json_len = sb.len;
	r->content_json = strbuf_detach(&sb);
}

int
record_image_decode(struct record_image *img)
{
	size_t b64len = strlen(img->data), len;
	unsigned char digest[32];
	int n, i;

	img->decoded = 1;
	img->len = 0;
	img->sha256[0] = '\0';
	img->bytes = xmalloc(b64len / 4 * 3 + 3);
	if ((n = EVP_DecodeBlock(img->bytes, (const unsigned char *)img->data, (int)b64len)) < 0) {
		free(img->bytes);
		img->bytes = NULL;
		return -1;
	}
	len = (size_t)n;
	/* EVP_DecodeBlock counts the '=' padding as zero bytes. */
	for (i = (int)b64len - 1; i >= 0 && img->data[i] == '=' && len > 0; i--)
		len--;
	img->len = len;
	EVP_Digest(img->bytes, len, digest, NULL, EVP_sha256(), NULL);
	hex_encode(img->sha256, sizeof img->sha256, digest, sizeof digest);
	return 0;
}

/* A member record_from_json reads, and where its node goes. */
struct wanted {
	const char *name;
	const cJSON **node;
};

/* strcmp's answer for names of a few bytes, most of them told apart by their first. */
static int
same_name(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/*
 * Finds the members named in want in one walk of obj: the first of each
 * name, as cJSON_GetObjectItemCaseSensitive would (which stops at a member
 * without a name). A record's dozen lookups, each a strcmp per member, cost
 * 6% of the reading thread, libc's strcmp more than its share.
 */
static void
find_members(const cJSON *obj, const struct wanted *want, size_t n)
{
	const cJSON *m;
	size_t i;

	for (i = 0; i < n; i++)
		*want[i].node = NULL;
	for (m = obj != NULL ? obj->child : NULL; m != NULL && m->string != NULL; m = m->next) {
		for (i = 0; i < n; i++) {
			if (*want[i].node == NULL && same_name(m->string, want[i].name)) {
				*want[i].node = m;
				break;
			}
		}
	}
}

static const char *
str_of(const cJSON *v)
{
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The members of a content block that record_from_json reads, by name. */
struct block {
	const cJSON *type, *text, *thinking, *id, *name, *input, *tool_use_id, *content,
	    *is_error, *source;
};

static const char *
read_block(const cJSON *b, struct block *k)
{
	const struct wanted want[] = {
		{ "type", &k->type }, { "text", &k->text }, { "thinking", &k->thinking },
		{ "id", &k->id }, { "name", &k->name }, { "input", &k->input },
		{ "tool_use_id", &k->tool_use_id }, { "content", &k->content },
		{ "is_error", &k->is_error }, { "source", &k->source },
	};

	find_members(b, want, sizeof want / sizeof want[0]);
	return str_of(k->type);
}

static void
read_user_content(struct record *rec, const cJSON *content)
{
	struct strbuf text = STRBUF_INIT;
	struct block k;
	const cJSON *b;
	int n;

	if (cJSON_IsString(content)) {
		append_text(&text, content->valuestring);
		rec->text = detach_or_null(&text);
		return;
	}
	if (!cJSON_IsArray(content))
		return;
	n = cJSON_GetArraySize(content);
	rec->results = xcalloc((size_t)n, sizeof *rec->results);
	rec->images = xcalloc((size_t)n, sizeof *rec->images);
	cJSON_ArrayForEach(b, content) {
		const char *type = read_block(b, &k);
		if (type == NULL)
			continue;
		if (strcmp(type, "text") == 0)
			append_text(&text, str_of(k.text));
		else if (strcmp(type, "tool_result") == 0) {
			struct record_tool_result *r = &rec->results[rec->nresults];
			if ((r->tool_use_id = str_of(k.tool_use_id)) == NULL)
				continue;
			read_result(r, k.content);
			r->is_error = cJSON_IsTrue(k.is_error);
			rec->nresults++;
		} else if (strcmp(type, "image") == 0) {
			const cJSON *src = k.source;
			struct record_image *img = &rec->images[rec->nimages];
			if ((img->data = str_field(src, "data")) == NULL)
				continue;
			img->media_type = str_field(src, "media_type");
			record_image_decode(img);
			rec->nimages++;
		}
	}
	rec->text = detach_or_null(&text);
}

static void
read_assistant_content(struct record *rec, const cJSON *content)
{
	struct strbuf text = STRBUF_INIT, thinking = STRBUF_INIT, json = STRBUF_INIT;
	struct block k;
	const cJSON *b;
	int n;

	if (cJSON_IsString(content))
		append_text(&text, content->valuestring);
	else if (cJSON_IsArray(content)) {
		n = cJSON_GetArraySize(content);
		rec->uses = xcalloc((size_t)n, sizeof *rec->uses);
		cJSON_ArrayForEach(b, content) {
			const char *type = read_block(b, &k);
			if (type == NULL)
				continue;
			if (strcmp(type, "text") == 0)
				append_text(&text, str_of(k.text));
			else if (strcmp(type, "thinking") == 0)
				append_text(&thinking, str_of(k.thinking));
			else if (strcmp(type, "tool_use") == 0) {
				struct record_tool_use *u = &rec->uses[rec->nuses];
				if ((u->id = str_of(k.id)) == NULL || (u->name = str_of(k.name)) == NULL)
					continue;
				u->input = k.input;
				/* Serialised here, on the reader thread, not while importing. */
				strbuf_reset(&json);
				if (u->input != NULL)
					json_add(&json, u->input);
				else
					strbuf_adds(&json, "{}");
				u->input_json = xstrndup(json.buf, json.len);
				u->input_json_len = json.len;
				rec->nuses++;
			}
		}
	}
	strbuf_free(&json);
	rec->text = detach_or_null(&text);
	rec->thinking = detach_or_null(&thinking);
}

static size_t
len_or_0(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/* What rec holds besides the tree it was read from (the reader bounds its batches by it). */
static void
count_owned(struct record *rec)
{
	int i;

	rec->owned = len_or_0(rec->text) + len_or_0(rec->thinking);
	for (i = 0; i < rec->nuses; i++)
		rec->owned += len_or_0(rec->uses[i].input_json);
	for (i = 0; i < rec->nresults; i++) {
		const struct record_tool_result *r = &rec->results[i];
		/* A borrowed string is the tree's: the batch's arena counts it. */
		rec->owned += (r->content_borrowed ? 0 : len_or_0(r->content)) +
		    (r->json_borrowed ? 0 : len_or_0(r->content_json));
	}
	for (i = 0; i < rec->nimages; i++)
		rec->owned += rec->images[i].len;
}

int
record_from_json(struct record *rec, cJSON *obj, char *err)
{
	const cJSON *type_m, *uuid, *session, *cwd, *branch, *version, *meta, *sidechain,
	    *compact, *msg, *ts_m, *usage;
	const struct wanted top[] = {
		{ "type", &type_m }, { "uuid", &uuid }, { "sessionId", &session }, { "cwd", &cwd },
		{ "gitBranch", &branch }, { "version", &version }, { "isMeta", &meta },
		{ "isSidechain", &sidechain }, { "isCompactSummary", &compact },
		{ "message", &msg }, { "timestamp", &ts_m },
	};
	const cJSON *content, *msg_id, *model, *input, *output, *cache_read, *cache_creation;
	const struct wanted in_msg[] = {
		{ "content", &content }, { "id", &msg_id }, { "model", &model }, { "usage", &usage },
	};
	const struct wanted in_usage[] = {
		{ "input_tokens", &input }, { "output_tokens", &output },
		{ "cache_read_input_tokens", &cache_read },
		{ "cache_creation_input_tokens", &cache_creation },
	};
	const char *type, *ts;

	memset(rec, 0, sizeof *rec);
	rec->kind = RECORD_SKIP;
	find_members(obj, top, sizeof top / sizeof top[0]);
	if ((type = str_of(type_m)) == NULL || record_type_is_skipped(type))
		return 0;

	rec->uuid = str_of(uuid);
	rec->session_id = str_of(session);
	rec->cwd = str_of(cwd);
	rec->git_branch = str_of(branch);
	rec->cli_version = str_of(version);
	rec->is_meta = cJSON_IsTrue(meta);
	rec->is_sidechain = cJSON_IsTrue(sidechain);
	rec->is_compact_summary = cJSON_IsTrue(compact);
	ts = str_of(ts_m);

	if (rec->uuid == NULL || rec->session_id == NULL || !cJSON_IsObject(msg))
		return seterr(err, "%s record without uuid, sessionId or message", type);
	if (ts == NULL || (rec->ts_ms = time_parse_iso_ms(ts)) < 0)
		return seterr(err, "%s record with a missing or bad timestamp", type);
	time_format_iso_ms(rec->ts_ms, rec->timestamp);

	if (strcmp(type, "user") == 0) {
		rec->kind = RECORD_USER;
		find_members(msg, in_msg, 1);
		read_user_content(rec, content);
		count_owned(rec);
		return 0;
	}
	rec->kind = RECORD_ASSISTANT;
	find_members(msg, in_msg, sizeof in_msg / sizeof in_msg[0]);
	rec->message_id = str_of(msg_id);
	rec->model = str_of(model);
	read_assistant_content(rec, content);
	if (cJSON_IsObject(usage)) {
		find_members(usage, in_usage, sizeof in_usage / sizeof in_usage[0]);
		rec->has_usage = 1;
		rec->usage.input = usage_value(input, &rec->bad_numbers);
		rec->usage.output = usage_value(output, &rec->bad_numbers);
		rec->usage.cache_read = usage_value(cache_read, &rec->bad_numbers);
		rec->usage.cache_creation = usage_value(cache_creation, &rec->bad_numbers);
	}
	count_owned(rec);
	return 0;
}

void
record_free(struct record *rec)
{
	int i;

	free(rec->text);
	free(rec->thinking);
	for (i = 0; i < rec->nuses; i++)
		free(rec->uses[i].input_json);
	free(rec->uses);
	for (i = 0; i < rec->nresults; i++) {
		if (!rec->results[i].content_borrowed)
			free(rec->results[i].content);
		if (!rec->results[i].json_borrowed)
			free(rec->results[i].content_json);
	}
	free(rec->results);
	for (i = 0; i < rec->nimages; i++)
		free(rec->images[i].bytes);
	free(rec->images);
	memset(rec, 0, sizeof *rec);
}
