/*
 * Streaming JSONL reader: hands out one complete line at a time from a byte
 * offset, with memory bounded by the longest line, never by the file.
 * A last line without its newline (a transcript still being written) is held
 * back, so its offset is where the next import starts.
 */
#ifndef AL_JSONL_H
#define AL_JSONL_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

/* Lines longer than this are skipped and counted: no real record comes close. */
#define JSONL_MAX_LINE (256u << 20)

struct jsonl_reader {
	int fd;
	char *buf;
	size_t cap, start, end;
	int64_t buf_offset;	/* file offset of buf[0] */
	int eof;
	int skipping;		/* inside an over-long line, discarding it */
	size_t max_line;
};

int jsonl_open(struct jsonl_reader *r, const char *path, int64_t offset, char *err);
void jsonl_close(struct jsonl_reader *r);

enum jsonl_status { JSONL_LINE, JSONL_TOO_LONG, JSONL_END, JSONL_ERROR };

/*
 * The next complete line, without its newline. *line_end is the file offset
 * just past the newline, where reading would resume. At JSONL_END, *line
 * and *len give an unterminated last line (len 0 when none), which starts
 * at *line_end.
 */
enum jsonl_status jsonl_next(struct jsonl_reader *r, const char **line, size_t *len,
    int64_t *line_end, char *err);

/*
 * Hands the buffer holding the line jsonl_next just returned to the caller
 * (to free; *size bytes), so the line can outlive the next read: reading goes
 * on in a new buffer. For lines of hundreds of MB, never copied.
 */
char *jsonl_take_buffer(struct jsonl_reader *r, size_t *size);

/*
 * Parses every JSON value on one line: real transcripts hold lines with two
 * objects glued together. Calls fn for each object; returns the number
 * parsed, or -1 when any part is malformed (objects before it were still
 * delivered). With fn NULL it only checks the line.
 */
typedef int (*jsonl_object_fn)(cJSON *obj, void *arg);
int jsonl_parse_line(const char *line, size_t len, jsonl_object_fn fn, void *arg);

/* At most this many objects glued on one line; more is treated as malformed. */
#define JSONL_MAX_OBJECTS 8

/*
 * The same split without callbacks: the objects go into objs (allocated
 * wherever cJSON allocates in this thread, see arena.h). Returns their number,
 * or -1 when some part is malformed; *nparsed counts those parsed before it
 * and, when a record is cut short and a complete one follows on the same line
 * (a crash, then a resume), those recovered after the cut.
 */
int jsonl_parse_objects(const char *line, size_t len, cJSON **objs, int max, int *nparsed);

/*
 * The top-level "type" of the JSON object at the start of line, found without
 * parsing it, and whether the object ends the line (*single 1; a glued line
 * gives 0). When stop_at is given and returns nonzero for the type, the scan
 * stops there and *single is -1 (unknown): the caller will parse the line
 * anyway. Returns the type's length (copied into out, at most outlen - 1
 * bytes), or -1 when the line does not look like an object with such a key.
 */
int jsonl_peek_type(const char *line, size_t len, char *out, size_t outlen, int *single,
    int (*stop_at)(const char *type));

/*
 * Cuts the first top-level member named key (and its comma) out of the JSON
 * object at the start of line, in place, without parsing it: what follows
 * moves up. Returns the line's new length; len when the object has no such
 * member or is cut short before its end. Objects glued after it are kept.
 */
size_t jsonl_drop_member(char *line, size_t len, const char *key);

#endif
