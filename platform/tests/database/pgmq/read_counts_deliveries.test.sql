-- read_ct counts deliveries: the first read returns 1 and each further read adds one.
begin;
select plan(4);

select pgmq.create('counting');
select pgmq.send('counting', '{"order": 1}');

select is((select read_ct from pgmq.q_counting), 0, 'a message that was never read has read_ct 0');
select is((select read_ct from pgmq.read('counting', 0, 1)), 1, 'the first read returns read_ct 1');
select is((select read_ct from pgmq.read('counting', 0, 1)), 2, 'the second read returns read_ct 2');
select is((select read_ct from pgmq.q_counting), 2, 'the count is stored on the message');

select * from finish();
rollback;
