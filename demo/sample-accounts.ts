/**
 * The twenty customer accounts of the sample operator, as hand-written data. Names,
 * time zones and locales are deliberately varied: non-ASCII letters in several
 * scripts, characters HTML must escape (& ' < >), and display names with commas,
 * which a mailer must quote.
 */
import type { SampleContact } from '../src/demo/sample.ts';

export interface AccountSeed {
  id: string;
  name: string;
  timezone: string;
  locale: string;
  currency: 'EUR' | 'GBP';
  emailInvoicing: boolean;
  /** Business accounts have more SIMs and a usage commitment contract. */
  business: boolean;
  contacts: { service: SampleContact; billing?: SampleContact; technical?: SampleContact };
}

const person = (name: string, email: string): SampleContact => ({ name, email });

export const ACCOUNT_SEEDS: readonly AccountSeed[] = [
  {
    id: 'acc-1001',
    name: 'Zoë Müller',
    timezone: 'Europe/Berlin',
    locale: 'de-DE',
    currency: 'EUR',
    emailInvoicing: true,
    business: false,
    contacts: {
      service: person('Zoë Müller', 'zoe.mueller@post.example'),
      billing: person('Zoë Müller', 'zoe.mueller@post.example'),
    },
  },
  {
    id: 'acc-1002',
    name: 'Łukasz Wróblewski',
    timezone: 'Europe/Warsaw',
    locale: 'pl-PL',
    currency: 'EUR',
    emailInvoicing: false,
    business: false,
    contacts: { service: person('Łukasz Wróblewski', 'lukasz.w@poczta.example') },
  },
  {
    id: 'acc-1003',
    name: 'Søren Bryggeri ApS',
    timezone: 'Europe/Copenhagen',
    locale: 'da-DK',
    currency: 'EUR',
    emailInvoicing: true,
    business: true,
    contacts: {
      service: person('Mette Sørensen', 'drift@sorenbryggeri.example'),
      billing: person('Kierkegaard, Søren', 'regnskab@sorenbryggeri.example'),
      technical: person('Jens Ølgaard', 'it@sorenbryggeri.example'),
    },
  },
  {
    id: 'acc-1004',
    name: 'José Álvarez Peña',
    timezone: 'Europe/Madrid',
    locale: 'es-ES',
    currency: 'EUR',
    emailInvoicing: true,
    business: false,
    contacts: {
      service: person('José Álvarez Peña', 'jose.alvarez@correo.example'),
      billing: person('María Peña', 'maria.pena@correo.example'),
    },
  },
  {
    id: 'acc-1005',
    name: '株式会社さくら通信',
    timezone: 'Asia/Tokyo',
    locale: 'ja-JP',
    currency: 'EUR',
    emailInvoicing: true,
    business: true,
    contacts: {
      service: person('山田 花子', 'hanako.yamada@sakura-tsushin.example'),
      billing: person('経理部', 'keiri@sakura-tsushin.example'),
      technical: person('Tanaka, Kenji', 'kenji.tanaka@sakura-tsushin.example'),
    },
  },
  {
    id: 'acc-1006',
    name: 'Ñandú & Hijos S.A.',
    timezone: 'America/Argentina/Buenos_Aires',
    locale: 'es-AR',
    currency: 'EUR',
    emailInvoicing: false,
    business: true,
    contacts: {
      service: person('Martín Ñandú', 'martin@nanduhijos.example'),
      billing: person('Administración', 'admin@nanduhijos.example'),
    },
  },
  {
    id: 'acc-1007',
    name: 'Brightwater Cafés Ltd',
    timezone: 'Europe/Dublin',
    locale: 'en-IE',
    currency: 'EUR',
    emailInvoicing: true,
    business: true,
    contacts: {
      service: person('Aoife Ní Bhriain', 'aoife@brightwater.example'),
      billing: person('Accounts, Brightwater', 'accounts@brightwater.example'),
      technical: person('Cian Ó Dálaigh', 'cian@brightwater.example'),
    },
  },
  {
    id: 'acc-1008',
    name: "O'Brien Logistics <UK>",
    timezone: 'Europe/London',
    locale: 'en-GB',
    currency: 'GBP',
    emailInvoicing: true,
    business: true,
    contacts: {
      service: person('Siobhan O’Brien', 'siobhan@obrien-logistics.example'),
      billing: person("Patrick O'Brien", 'finance@obrien-logistics.example'),
      technical: person('Dev Patel', 'it@obrien-logistics.example'),
    },
  },
  {
    id: 'acc-1009',
    name: 'Fjordlys Marine AS',
    timezone: 'Europe/Oslo',
    locale: 'nb-NO',
    currency: 'EUR',
    emailInvoicing: false,
    business: true,
    contacts: {
      service: person('Ingrid Håland', 'ingrid@fjordlys.example'),
      technical: person('Bjørn Æsir', 'bjorn@fjordlys.example'),
    },
  },
  {
    id: 'acc-1010',
    name: 'Boulangerie Élodie SARL',
    timezone: 'Europe/Paris',
    locale: 'fr-FR',
    currency: 'EUR',
    emailInvoicing: true,
    business: false,
    contacts: {
      service: person('Élodie Lefèvre', 'elodie@boulangerie-elodie.example'),
      billing: person('Élodie Lefèvre', 'compta@boulangerie-elodie.example'),
    },
  },
  {
    id: 'acc-1011',
    name: 'Müller & Söhne GmbH',
    timezone: 'Europe/Vienna',
    locale: 'de-AT',
    currency: 'EUR',
    emailInvoicing: true,
    business: true,
    contacts: {
      service: person('Jürgen Müller', 'juergen@mueller-soehne.example'),
      billing: person('Buchhaltung Müller & Söhne', 'buchhaltung@mueller-soehne.example'),
      technical: person('Käthe Groß', 'technik@mueller-soehne.example'),
    },
  },
  {
    id: 'acc-1012',
    name: 'Đặng Thị Hương',
    timezone: 'Asia/Ho_Chi_Minh',
    locale: 'vi-VN',
    currency: 'EUR',
    emailInvoicing: false,
    business: false,
    contacts: { service: person('Đặng Thị Hương', 'huong.dang@thu.example') },
  },
  {
    id: 'acc-1013',
    name: 'Παπαδόπουλος Ναυτιλιακή',
    timezone: 'Europe/Athens',
    locale: 'el-GR',
    currency: 'EUR',
    emailInvoicing: true,
    business: true,
    contacts: {
      service: person('Γιώργος Παπαδόπουλος', 'giorgos@papadopoulos.example'),
      billing: person('Λογιστήριο', 'logistirio@papadopoulos.example'),
    },
  },
  {
    id: 'acc-1014',
    name: 'Sigríður Þórsdóttir',
    timezone: 'Atlantic/Reykjavik',
    locale: 'is-IS',
    currency: 'EUR',
    emailInvoicing: false,
    business: false,
    contacts: { service: person('Sigríður Þórsdóttir', 'sigga@postur.example') },
  },
  {
    id: 'acc-1015',
    name: 'Highland Crofts Ltd',
    timezone: 'Europe/London',
    locale: 'en-GB',
    currency: 'GBP',
    emailInvoicing: false,
    business: false,
    contacts: {
      service: person('Mhairi MacLeòid', 'mhairi@highlandcrofts.example'),
      billing: person('MacLeod, Angus', 'angus@highlandcrofts.example'),
    },
  },
  {
    id: 'acc-1016',
    name: 'Çelik Yapı A.Ş.',
    timezone: 'Europe/Istanbul',
    locale: 'tr-TR',
    currency: 'EUR',
    emailInvoicing: true,
    business: true,
    contacts: {
      service: person('Ayşe Çelik', 'ayse@celikyapi.example'),
      billing: person('Muhasebe', 'muhasebe@celikyapi.example'),
      technical: person('İbrahim Şahin', 'ibrahim@celikyapi.example'),
    },
  },
  {
    id: 'acc-1017',
    name: '张伟 (Zhang Wei)',
    timezone: 'Asia/Shanghai',
    locale: 'zh-CN',
    currency: 'EUR',
    emailInvoicing: true,
    business: false,
    contacts: {
      service: person('张伟', 'zhang.wei@youxiang.example'),
      billing: person('张伟', 'zhang.wei@youxiang.example'),
    },
  },
  {
    id: 'acc-1018',
    name: 'Renée Lefèvre',
    timezone: 'America/Toronto',
    locale: 'fr-CA',
    currency: 'EUR',
    emailInvoicing: false,
    business: false,
    contacts: {
      service: person('Renée Lefèvre', 'renee.lefevre@courriel.example'),
      technical: person('Gagnon, Luc', 'luc.gagnon@courriel.example'),
    },
  },
  {
    id: 'acc-1019',
    name: 'Amaka Okafor Clinic',
    timezone: 'Africa/Lagos',
    locale: 'en-NG',
    currency: 'GBP',
    emailInvoicing: true,
    business: true,
    contacts: {
      service: person('Dr. Amaka Okafor', 'amaka@okaforclinic.example'),
      billing: person('Chukwuemeka Eze', 'billing@okaforclinic.example'),
    },
  },
  {
    id: 'acc-1020',
    name: 'Mañana Studios LLC',
    timezone: 'America/Los_Angeles',
    locale: 'en-US',
    currency: 'EUR',
    emailInvoicing: false,
    business: false,
    contacts: {
      service: person('Camila Reyes-Muñoz', 'camila@mananastudios.example'),
      billing: person('"The Books" Team', 'books@mananastudios.example'),
    },
  },
];
