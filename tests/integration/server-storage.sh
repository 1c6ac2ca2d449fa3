#!/bin/sh
# /storage/v1 against a real agentlogs-server: upload, upsert, download and
# delete in bucket "visuals", only under the caller's own <user_id>/ folder;
# duplicates, missing objects, bad names (a part over 255 bytes), a name that
# is both an object and a folder, and the size limit.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db
S_SERVER_ARGS="--max-body 200000"
s_start_server

signup() {
	s_http POST /auth/v1/signup "{\"email\":\"$1\",\"password\":\"password $1\"}"
	t_assert_eq 200 "$s_status" "signup $1"
}
signup a@example.com
A=$(s_json 'j["access_token"]')
A_ID=$(s_json 'j["user"]["id"]')
signup b@example.com
B=$(s_json 'j["access_token"]')
B_ID=$(s_json 'j["user"]["id"]')

head -c 5000 /dev/urandom >"$T_TMP/img.png"
sha=$(sha256sum "$T_TMP/img.png" | cut -d' ' -f1)
obj="/storage/v1/object/visuals/$A_ID/$sha.png"

# up CALLER_TOKEN METHOD PATH FILE [headers...]: upload a file (as image/png
# unless a header says otherwise); sets s_status, s_body.
up() {
	tok=$1 m=$2 p=$3 f=$4
	shift 4
	case "$*" in *Content-Type:*) ct= ;; *) ct='Content-Type: image/png' ;; esac
	s_body=$(curl -s -o - -w '\n%{http_code}' -X "$m" -H "apikey: $S_ANON" \
		-H "Authorization: Bearer $tok" ${ct:+-H "$ct"} "$@" \
		--data-binary "@$f" "$S_URL$p")
	s_status=$(printf '%s\n' "$s_body" | tail -n 1)
	s_body=$(printf '%s\n' "$s_body" | sed '$d')
}

up "$A" POST "$obj" "$T_TMP/img.png"
t_assert_eq 200 "$s_status" "upload ($s_body)"
t_assert_eq "visuals/$A_ID/$sha.png" "$(s_json 'j["Key"]')"
# Download returns the same bytes.
curl -s -o "$T_TMP/back.png" -H "apikey: $S_ANON" -H "Authorization: Bearer $A" \
	"$S_URL/storage/v1/object/authenticated/visuals/$A_ID/$sha.png"
cmp -s "$T_TMP/img.png" "$T_TMP/back.png" || t_fail "downloaded bytes differ"
# A duplicate without upsert: 400 with statusCode "409", as Supabase answers.
up "$A" POST "$obj" "$T_TMP/img.png"
t_assert_eq 400 "$s_status" "duplicate upload"
t_assert_eq 409 "$(s_json 'j["statusCode"]')"
# x-upsert replaces it.
head -c 3000 /dev/urandom >"$T_TMP/img2.png"
up "$A" POST "$obj" "$T_TMP/img2.png" -H 'x-upsert: true'
t_assert_eq 200 "$s_status" "upsert"
curl -s -o "$T_TMP/back2.png" -H "apikey: $S_ANON" -H "Authorization: Bearer $A" \
	"$S_URL/storage/v1/object/authenticated/visuals/$A_ID/$sha.png"
cmp -s "$T_TMP/img2.png" "$T_TMP/back2.png" || t_fail "upsert did not replace the bytes"

# B can neither read, overwrite, delete nor write into A's folder.
s_http GET "/storage/v1/object/authenticated/visuals/$A_ID/$sha.png" -H "Authorization: Bearer $B"
t_assert_eq 400 "$s_status" "B reading A's object"
t_assert_eq 404 "$(s_json 'j["statusCode"]')"
up "$B" POST "$obj" "$T_TMP/img.png" -H 'x-upsert: true'
[ "$s_status" = 403 ] || [ "$s_status" = 400 ] || t_fail "B overwrote A's object: $s_status"
s_http DELETE "/storage/v1/object/visuals/$A_ID/$sha.png" -H "Authorization: Bearer $B"
t_assert_eq 400 "$s_status" "B deleting A's object"
up "$B" POST "/storage/v1/object/visuals/$A_ID/other.png" "$T_TMP/img.png"
t_assert_eq 403 "$s_status" "B writing into A's folder"
curl -s -o "$T_TMP/back3.png" -H "apikey: $S_ANON" -H "Authorization: Bearer $A" \
	"$S_URL/storage/v1/object/authenticated/visuals/$A_ID/$sha.png"
cmp -s "$T_TMP/img2.png" "$T_TMP/back3.png" || t_fail "A's object changed after B's attempts"
# Anonymous callers get nothing.
s_http GET "/storage/v1/object/authenticated/visuals/$A_ID/$sha.png"
t_assert_eq 403 "$s_status" "anonymous read"

# Bad names and the size limit.
s_http GET "/storage/v1/object/visuals/$A_ID/../$B_ID/x.png" -H "Authorization: Bearer $A"
t_assert_eq 400 "$s_status" "a name with .."
head -c 300000 /dev/urandom >"$T_TMP/big.png"
up "$A" POST "/storage/v1/object/visuals/$A_ID/big.png" "$T_TMP/big.png"
t_assert_eq 413 "$s_status" "an object over the size limit"
# A part of the name becomes a file or folder name: 255 bytes is the most,
# answered as such, not as a server error.
p255=$(python3 -c 'print("p" * 251 + ".png")')
up "$A" POST "/storage/v1/object/visuals/$A_ID/$p255" "$T_TMP/img.png"
t_assert_eq 200 "$s_status" "a 255-byte file name ($s_body)"
up "$A" POST "/storage/v1/object/visuals/$A_ID/q$p255" "$T_TMP/img.png"
t_assert_eq 400 "$s_status" "a 256-byte file name ($s_body)"
t_assert_contains "$s_body" "longer than 255 bytes" "a 256-byte file name"
up "$A" POST "/storage/v1/object/visuals/$A_ID/$(python3 -c 'print("d" * 256)')/x.png" \
	"$T_TMP/img.png"
t_assert_eq 400 "$s_status" "a 256-byte folder name ($s_body)"
t_assert_contains "$s_body" "longer than 255 bytes" "a 256-byte folder name"
# One name cannot be an object and a folder: a clear conflict, in either order,
# and the object already there is untouched.
up "$A" POST "/storage/v1/object/visuals/$A_ID/clash" "$T_TMP/img.png"
t_assert_eq 200 "$s_status" "the object 'clash'"
up "$A" POST "/storage/v1/object/visuals/$A_ID/clash/inner.png" "$T_TMP/img2.png"
t_assert_eq 409 "$s_status" "an object under an object ($s_body)"
t_assert_contains "$s_body" "used as a folder" "an object under an object"
up "$A" POST "/storage/v1/object/visuals/$A_ID/dir/inner.png" "$T_TMP/img.png"
t_assert_eq 200 "$s_status" "the object 'dir/inner.png'"
up "$A" PUT "/storage/v1/object/visuals/$A_ID/dir" "$T_TMP/img2.png"
t_assert_eq 409 "$s_status" "an object named as a folder ($s_body)"
t_assert_contains "$s_body" "folder holding other objects" "an object named as a folder"
cmp -s "$T_TMP/img.png" "$T_TMP/storage/visuals/$A_ID/clash" || t_fail "'clash' changed"
t_assert_eq 0 "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM storage.objects
	WHERE name IN ('$A_ID/clash/inner.png', '$A_ID/dir')")" "rows of refused objects"

# Delete, then it is gone.
s_http DELETE "/storage/v1/object/visuals/$A_ID/$sha.png" -H "Authorization: Bearer $A"
t_assert_eq 200 "$s_status" "delete"
s_http GET "/storage/v1/object/authenticated/visuals/$A_ID/$sha.png" -H "Authorization: Bearer $A"
t_assert_eq 400 "$s_status" "download after delete"
[ ! -e "$T_TMP/storage/visuals/$A_ID/$sha.png" ] || t_fail "the file outlived its object"

# A chunked upload (no Content-Length) is taken as any other body, the size
# limit included; a malformed one is a clear 400.
up "$A" POST "/storage/v1/object/visuals/$A_ID/chunked.png" "$T_TMP/img.png" \
	-H 'Transfer-Encoding: chunked'
t_assert_eq 200 "$s_status" "a chunked upload ($s_body)"
cmp -s "$T_TMP/img.png" "$T_TMP/storage/visuals/$A_ID/chunked.png" || t_fail "chunked bytes differ"
up "$A" POST "/storage/v1/object/visuals/$A_ID/chunked-big.png" "$T_TMP/big.png" \
	-H 'Transfer-Encoding: chunked'
t_assert_eq 413 "$s_status" "a chunked upload over the size limit"
# (curl would encode it properly: the bytes go raw.)
s_body=$(python3 - "${S_URL#http://}" "$S_ANON" "$A" "/storage/v1/object/visuals/$A_ID/bad.png" <<'PY'
import socket, sys
host, port = sys.argv[1].rsplit(':', 1)
s = socket.create_connection((host, int(port)))
s.sendall(('POST %s HTTP/1.1\r\nHost: x\r\napikey: %s\r\nAuthorization: Bearer %s\r\n'
           'Content-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'
           % (sys.argv[4], sys.argv[2], sys.argv[3])).encode())
out = b''
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
print(out.decode(errors='replace'))
PY
)
t_assert_contains "$s_body" "HTTP/1.1 400" "a malformed chunked body"
t_assert_contains "$s_body" "hex digits" "a malformed chunked body"
# multipart/form-data (how supabase-js sends a Blob): the file part is stored.
s_body=$(curl -s -o - -w '\n%{http_code}' -H "apikey: $S_ANON" -H "Authorization: Bearer $A" \
	-F cacheControl=3600 -F "=@$T_TMP/img.png;type=image/png" \
	"$S_URL/storage/v1/object/visuals/$A_ID/form.png")
t_assert_eq 200 "$(printf '%s\n' "$s_body" | tail -n 1)" "a multipart upload"
cmp -s "$T_TMP/img.png" "$T_TMP/storage/visuals/$A_ID/form.png" || t_fail "the form, not the file, was stored"
# Odd forms: a clear 400 each, and the server stays up.
for ct in 'multipart/form-data' 'multipart/form-data; boundary=zz'; do
	up "$A" POST "/storage/v1/object/visuals/$A_ID/odd.png" "$T_TMP/img.png" -H "Content-Type: $ct"
	t_assert_eq 400 "$s_status" "an odd form ($ct)"
	t_assert_contains "$s_body" "multipart" "an odd form ($ct)"
done
printf -- '--zz\r\nContent-Disposition: form-data; name=""; filename="x"\r\n\r\ncut' >"$T_TMP/cut"
up "$A" POST "/storage/v1/object/visuals/$A_ID/odd.png" "$T_TMP/cut" \
	-H 'Content-Type: multipart/form-data; boundary=zz'
t_assert_eq 400 "$s_status" "a truncated form"
t_assert_contains "$s_body" "truncated" "a truncated form"
s_http GET /health
t_assert_eq 200 "$s_status" "health after odd forms"
# A name with spaces, and exists (HEAD).
up "$A" POST "/storage/v1/object/visuals/$A_ID/a%20b%20(1).png" "$T_TMP/img.png"
t_assert_eq 200 "$s_status" "a name with spaces ($s_body)"
cmp -s "$T_TMP/img.png" "$T_TMP/storage/visuals/$A_ID/a b (1).png" || t_fail "the name with spaces"
head_status() {
	curl -s -o /dev/null -I -w '%{http_code}' -H "apikey: $S_ANON" -H "Authorization: Bearer $1" "$S_URL$2"
}
t_assert_eq 200 "$(head_status "$A" "/storage/v1/object/visuals/$A_ID/a%20b%20(1).png")" "HEAD"
t_assert_eq 400 "$(head_status "$B" "/storage/v1/object/visuals/$A_ID/a%20b%20(1).png")" "HEAD by B"
# A signed URL opens the object without a key; a token for another name does not.
s_http POST "/storage/v1/object/sign/visuals/$A_ID/form.png" '{"expiresIn": 60}' \
	-H "Authorization: Bearer $A"
t_assert_eq 200 "$s_status" "sign"
signed=$(s_json 'j["signedURL"]')
curl -s -o "$T_TMP/signed.png" "$S_URL/storage/v1$signed"
cmp -s "$T_TMP/img.png" "$T_TMP/signed.png" || t_fail "the signed URL's bytes"
t_assert_eq 400 "$(curl -s -o /dev/null -w '%{http_code}' \
	"$S_URL/storage/v1$(printf '%s' "$signed" | sed 's/form.png/chunked.png/')")" "another name's token"
s_http POST "/storage/v1/object/sign/visuals/$A_ID/form.png" '{"expiresIn": 60}' \
	-H "Authorization: Bearer $B"
t_assert_eq 400 "$s_status" "B signing A's object"
echo "PASS: storage round trip, upsert, cross-user denial, names and size limit, chunked, multipart, HEAD, signed URLs"
