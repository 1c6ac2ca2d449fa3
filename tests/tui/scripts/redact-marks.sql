-- A long key in the thinking of the turn with the Grep call and a token in
-- that call's result (fake ones, in the providers' formats): the browser
-- marks them in the theme's redacted slot on every row the wrap puts them.
UPDATE turns SET thinking = replace(thinking, 'Find where keep-alive is handled.',
    'Find where keep-alive is handled. The deploy used sk-ant-api03-Xq7Lm2Pv9Rt4Wz8Nc3Bd6Fh1Jk5Gs0Yu7Ie2Oa9Qw4Er6Ty1Ui3Op8As5Df2Gh7Jk0LzXcVbNm-aB3cD4eF5gH6iJ7kL8mN9oPAA here.'),
  tool_calls = replace(tool_calls, '"result":"src/server.c:16:',
    '"result":"DEPLOY_TOKEN=Zp4Qr8Ws2Ex6Yc1Vb5Nm9Lk3Jh7Gf0Dd4Sa8Po2Iu6Yt1Re5Wq9Mn3Bv7Cx0Za4Ks8\nsrc/server.c:16:')
  WHERE thinking LIKE 'Find where keep-alive is handled.%';
