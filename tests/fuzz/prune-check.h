/*
 * The pruned parse's promise (capture/prune.h), checked against cJSON: the
 * pruned tree is cJSON's with the members record_member_use drops taken out,
 * and record_from_json reads the same record from both. Shared by
 * tests/fuzz/fuzz-prune.c and tests/unit/test-prune.c.
 */
#ifndef AL_PRUNE_CHECK_H
#define AL_PRUNE_CHECK_H

#include <string.h>
#include <cjson/cJSON.h>

#include "capture/prune.h"
#include "capture/record.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

/*
 * A PRUNE_RAW sibling (cJSON has none): right after a string under the same
 * key, what json_add_string writes for that string. Returns it, or NULL.
 */
static const cJSON *
prune_raw_after(const cJSON *str, const cJSON *next, int *ok)
{
	struct strbuf sb = STRBUF_INIT;

	if (next == NULL || !cJSON_IsRaw(next))
		return NULL;
	json_add_string(&sb, str->valuestring);
	*ok = cJSON_IsString(str) && str->string != NULL && next->string != NULL &&
	    strcmp(str->string, next->string) == 0 && strcmp(sb.buf, next->valuestring) == 0;
	strbuf_free(&sb);
	return next;
}

static int
prune_same_tree(const cJSON *full, const cJSON *pruned, int whole)
{
	const cJSON *f, *p = pruned->child;
	enum prune_use use;
	int object = cJSON_IsObject(full);

	if ((full->type & 0xff) != (pruned->type & 0xff))
		return 0;
	if (cJSON_IsString(full))
		return strcmp(full->valuestring, pruned->valuestring) == 0;
	if (cJSON_IsNumber(full))
		return memcmp(&full->valuedouble, &pruned->valuedouble, sizeof(double)) == 0;
	if (!object && !cJSON_IsArray(full))
		return 1;	/* true, false, null: the type says it all */
	for (f = full->child; f != NULL; f = f->next) {
		const cJSON *raw;
		int ok = 1;

		/* An array's elements are all kept, pruned as the array is. */
		use = whole ? PRUNE_WHOLE : !object ? PRUNE_KEEP :
		    record_member_use(f->string, strlen(f->string));
		if (use == PRUNE_DROP)
			continue;
		if (p == NULL || (object && strcmp(f->string, p->string) != 0) ||
		    !prune_same_tree(f, p, whole || use == PRUNE_WHOLE))
			return 0;
		/* Only a PRUNE_RAW member's string may have one; it must be exact. */
		if ((raw = prune_raw_after(p, p->next, &ok)) != NULL) {
			if (!ok || use != PRUNE_RAW)
				return 0;
			p = raw;
		}
		p = p->next;
	}
	return p == NULL;
}

static int
prune_same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Every figure and string record_from_json read, compared. */
static int
prune_same_record(const struct record *a, const struct record *b)
{
	int i, same = a->kind == b->kind && prune_same_str(a->uuid, b->uuid) &&
	    prune_same_str(a->session_id, b->session_id) && prune_same_str(a->cwd, b->cwd) &&
	    prune_same_str(a->git_branch, b->git_branch) &&
	    prune_same_str(a->cli_version, b->cli_version) &&
	    prune_same_str(a->message_id, b->message_id) && prune_same_str(a->model, b->model) &&
	    strcmp(a->timestamp, b->timestamp) == 0 && a->ts_ms == b->ts_ms &&
	    a->is_meta == b->is_meta && a->is_sidechain == b->is_sidechain &&
	    a->is_compact_summary == b->is_compact_summary && prune_same_str(a->text, b->text) &&
	    prune_same_str(a->thinking, b->thinking) && a->nuses == b->nuses &&
	    a->nresults == b->nresults && a->nimages == b->nimages &&
	    a->has_usage == b->has_usage && a->bad_numbers == b->bad_numbers &&
	    memcmp(&a->usage, &b->usage, sizeof a->usage) == 0;

	for (i = 0; same && i < a->nuses; i++)
		same = prune_same_str(a->uses[i].id, b->uses[i].id) &&
		    prune_same_str(a->uses[i].name, b->uses[i].name) &&
		    prune_same_str(a->uses[i].input_json, b->uses[i].input_json);
	for (i = 0; same && i < a->nresults; i++)
		same = prune_same_str(a->results[i].tool_use_id, b->results[i].tool_use_id) &&
		    prune_same_str(a->results[i].content, b->results[i].content) &&
		    prune_same_str(a->results[i].content_json, b->results[i].content_json) &&
		    a->results[i].is_error == b->results[i].is_error;
	for (i = 0; same && i < a->nimages; i++)
		same = prune_same_str(a->images[i].media_type, b->images[i].media_type) &&
		    prune_same_str(a->images[i].data, b->images[i].data);
	return same;
}

/* Both checks on one object: 1 when the pruned parse kept its promise. */
static int
prune_agrees(cJSON *full, cJSON *pruned)
{
	struct record a, b;
	char erra[ERRLEN] = "", errb[ERRLEN] = "";
	int same = prune_same_tree(full, pruned, 0);

	same = (record_from_json(&a, full, erra) == record_from_json(&b, pruned, errb)) && same;
	same = same && strcmp(erra, errb) == 0 && prune_same_record(&a, &b);
	record_free(&a);
	record_free(&b);
	return same;
}

#endif
